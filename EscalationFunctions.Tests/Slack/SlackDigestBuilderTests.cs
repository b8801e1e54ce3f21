using System.Text.Json;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Tick;

namespace EscalationFunctions.Tests.Slack;

[Lane(TestLane.Unit)]
public class SlackDigestBuilderTests
{
    private static readonly Uri Base = new("https://ops.example.com");

    [Fact]
    public void The_dedup_key_is_the_sha256_hex_of_the_member_keys_sorted_and_joined_with_commas()
    {
        // sha256("a,b,c"), computed outside .NET (Python's hashlib).
        const string Expected = "205830ca5b23bbe39ab510cfddc1dff2d9842e38b5fa7b7c48cd4ca7e44f92a1";
        Assert.Equal(Expected, SlackDigestBuilder.DedupKeyOf(["c", "a", "b"]));
        Assert.Equal(Expected, SlackDigestBuilder.DedupKeyOf(["a", "b", "c"]));
        // Ordinal order: "B" (0x42) sorts before "a" (0x61), whatever the culture says.
        Assert.Equal(SlackDigestBuilder.DedupKeyOf(["B", "a"]), Sha256Hex("B,a"));
    }

    [Fact]
    public void A_digest_lists_each_escalation_oldest_first_with_key_title_severity_level_and_link()
    {
        var members = new[]
        {
            Member("INC-1", 2, "payments", "critical", "DB <primary> down"),
            Member("..", 1, "search", "warning", "Index lag"),
            Member("INC 3/ü", 4, "payments", "warning", ""),
        };

        var root = JsonDocument.Parse(SlackDigestBuilder.BuildJson(members, Base)).RootElement;

        var keys = members.Select(m => m.DedupKey).ToArray();
        Assert.Equal(keys, root.GetProperty("dedup_keys").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(Sha256Hex(string.Join(',', keys.Order(StringComparer.Ordinal))), root.GetProperty("dedup_key").GetString());
        Assert.Equal(SlackDigestBuilder.DedupKeyOf(keys), root.GetProperty("dedup_key").GetString());

        var blocks = root.GetProperty("blocks").EnumerateArray().ToArray();
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Equal("3 escalations are not acknowledged", blocks[0].GetProperty("text").GetProperty("text").GetString());
        var entries = blocks[1..^1];
        Assert.Equal(3, entries.Length);
        Assert.Equal("*Level 2* · critical · route payments\nDB &lt;primary&gt; down\nincident `INC-1`", Text(entries[0]));
        Assert.Equal("*Level 1* · warning · route search\nIndex lag\nincident `..`", Text(entries[1]));
        Assert.Equal("*Level 4* · warning · route payments\nINC 3/ü\nincident `INC 3/ü`", Text(entries[2]));
        Assert.Equal(
            ["https://ops.example.com/incidents/INC-1", "https://ops.example.com/incidents/%2E%2E", "https://ops.example.com/incidents/INC%203%2F%C3%BC"],
            entries.Select(e => e.GetProperty("accessory").GetProperty("url").GetString()));
        Assert.Contains(root.GetProperty("dedup_key").GetString()!, blocks[^1].GetProperty("elements")[0].GetProperty("text").GetString());
        Assert.Equal("3 escalations are not acknowledged: INC-1 (level 2), .. (level 1), INC 3/ü (level 4).", root.GetProperty("text").GetString());
    }

    [Fact]
    public void Forty_escalations_fit_in_fifty_blocks_and_more_or_none_is_a_caller_error()
    {
        var forty = Enumerable.Range(1, SlackDigestBuilder.MaxMembers).Select(i => Member($"INC-{i}", 1, "payments", "critical", $"Outage {i}")).ToList();

        var root = BlockKitAssert.WithinLimits(SlackDigestBuilder.BuildJson(forty, Base), "forty");

        Assert.Equal(42, root.GetProperty("blocks").GetArrayLength());
        Assert.Equal(40, root.GetProperty("dedup_keys").GetArrayLength());
        Assert.Equal(40, BlockKitAssert.Buttons(root).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => SlackDigestBuilder.BuildJson([.. forty, Member("INC-41", 1, "p", "critical", "")], Base));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlackDigestBuilder.BuildJson([], Base));
        var one = JsonDocument.Parse(SlackDigestBuilder.BuildJson(forty[..1], Base)).RootElement;
        Assert.Equal("1 escalation is not acknowledged", one.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());
    }

    private static string Text(JsonElement block) => block.GetProperty("text").GetProperty("text").GetString()!;

    private static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    internal static OutboxNotification Member(string key, int level, string route, string severity, string title) =>
        new(1, EscalationHash.Of(key, level), key, level, route, severity, title, 0);
}
