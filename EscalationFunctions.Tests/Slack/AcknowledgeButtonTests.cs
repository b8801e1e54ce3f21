using System.Text.Json;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Tick;

namespace EscalationFunctions.Tests.Slack;

/// <summary>The Acknowledge button of reference §9 on single messages and digest entries, within Block Kit's limits.</summary>
[Lane(TestLane.Unit)]
public class AcknowledgeButtonTests
{
    private static readonly Uri Base = new("https://ops.example.com");

    private static OutboxNotification Member(string key, int level = 1, string route = "payments") =>
        new(1, EscalationHash.Of(key, level), key, level, route, "critical", $"Title of {key}", 1);

    private static JsonElement[] AckButtons(JsonElement root) =>
        BlockKitAssert.Buttons(root).Where(b => b.TryGetProperty("action_id", out var id) && id.GetString() == "ack").ToArray();

    [Fact]
    public void A_message_carries_Acknowledge_with_the_incident_key_beside_the_link_only_when_asked()
    {
        var n = Member("payments/INC 42 & <x>");

        var with = BlockKitAssert.WithinLimits(SlackMessageBuilder.BuildJson(n, Base, acknowledge: true), "with ack");
        var without = BlockKitAssert.WithinLimits(SlackMessageBuilder.BuildJson(n, Base), "without ack");

        var ack = Assert.Single(AckButtons(with));
        Assert.Equal("payments/INC 42 & <x>", ack.GetProperty("value").GetString());
        Assert.Equal("Acknowledge", ack.GetProperty("text").GetProperty("text").GetString());
        Assert.False(ack.TryGetProperty("url", out _));
        Assert.Contains(BlockKitAssert.Buttons(with), b => b.TryGetProperty("url", out _));
        Assert.Empty(AckButtons(without));
    }

    [Fact]
    public void A_key_too_long_for_a_button_value_gets_no_button_but_a_note_saying_how_to_acknowledge()
    {
        var n = Member(new string('k', 2001));

        var root = BlockKitAssert.WithinLimits(SlackMessageBuilder.BuildJson(n, Base, acknowledge: true), "2001-character key");

        Assert.Empty(AckButtons(root));
        Assert.Contains(BlockKitAssert.MrkdwnTexts(root), t => t.Contains("/ops/incidents/{key}/ack"));
        var fits = BlockKitAssert.WithinLimits(SlackMessageBuilder.BuildJson(Member(new string('k', 2000)), Base, acknowledge: true), "2000");
        Assert.Single(AckButtons(fits));
    }

    [Fact]
    public void Every_entry_of_a_forty_entry_digest_has_its_own_Acknowledge_and_link_within_50_blocks()
    {
        var members = Enumerable.Range(1, 40).Select(i => Member($"INC-{i}", 1 + (i % 7))).ToList();

        var root = BlockKitAssert.WithinLimits(SlackDigestBuilder.BuildJson(members, Base, acknowledge: true), "40 entries");

        Assert.Equal(members.Select(m => m.IncidentKey), AckButtons(root).Select(b => b.GetProperty("value").GetString()));
        var entries = root.GetProperty("blocks").EnumerateArray().Where(b => b.TryGetProperty("accessory", out _)).ToList();
        Assert.Equal(40, entries.Count);
        Assert.All(entries.Zip(members), e => Assert.Contains($"<{Base.AbsoluteUri}incidents/{e.Second.IncidentKey}|Open incident>",
            e.First.GetProperty("text").GetProperty("text").GetString()));
    }

    [Fact]
    public void Hostile_keys_and_titles_keep_every_message_within_limits_with_the_button()
    {
        var random = new Random(1301);
        const string chars = "<>&|`*_~\n\"\\é€%./ aZ0";
        string Hostile(int length) => new(Enumerable.Range(0, length).Select(_ => chars[random.Next(chars.Length)]).ToArray());
        for (var i = 0; i < 200; i++)
        {
            var members = Enumerable.Range(0, random.Next(1, 41))
                .Select(_ => new OutboxNotification(1, "h", Hostile(random.Next(1, 2500)), random.Next(1, 8), Hostile(random.Next(1, 200)),
                    Hostile(random.Next(1, 50)), Hostile(random.Next(0, 4000)), 1))
                .ToList();
            BlockKitAssert.WithinLimits(SlackDigestBuilder.BuildJson(members, Base, acknowledge: true), $"digest seed case {i}");
            BlockKitAssert.WithinLimits(SlackMessageBuilder.BuildJson(members[0], Base, acknowledge: true), $"single seed case {i}");
        }
    }
}
