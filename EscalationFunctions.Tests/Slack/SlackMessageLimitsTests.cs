using System.Text;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using Xunit.Abstractions;

namespace EscalationFunctions.Tests.Slack;

/// <summary>
/// Seeded property tests: every message, single or digest, keeps to Block Kit's limits whatever
/// the title, key, route and severity hold; no title or key can form a link or mention; every
/// button names its incident. <c>ESC_FUZZ_SEED=&lt;seed&gt;</c> replays a failing run.
/// </summary>
[Lane(TestLane.Unit)]
public class SlackMessageLimitsTests(ITestOutputHelper output)
{
    private static readonly Uri Base = new("https://ops.example.com/esc");
    private static readonly SlackLevelMentions Mentions = Parse("""{"*": {"1": "<!here>", "3": "<!channel> <@U024BE7LH>"}, "payments": {"2": "<!subteam^SAZ94GDB8>"}}""");

    [Fact]
    public void Single_messages_keep_to_the_limits_for_hostile_titles_and_keys()
    {
        var (random, seed) = Seeded();
        for (var i = 0; i < 600; i++)
        {
            var n = RandomNotification(random, i);
            var mentions = i % 2 == 0 ? Mentions : null;
            var because = $"single #{i}, seed {seed}";

            var root = BlockKitAssert.WithinLimits(SlackMessageBuilder.BuildJson(n, Base, mentions), because);

            AssertNoInjectedMarkup(root, mentions is null ? null : mentions.For(n.Route, n.Level), because);
            AssertLinksNameTheirIncidents(root, [n], because);
        }
    }

    [Fact]
    public void Digests_of_up_to_forty_keep_to_the_limits_for_hostile_titles_and_keys()
    {
        var (random, seed) = Seeded();
        for (var i = 0; i < 40; i++)
        {
            var count = i < 10 ? SlackDigestBuilder.MaxMembers : random.Next(1, SlackDigestBuilder.MaxMembers + 1);
            var members = Enumerable.Range(0, count).Select(j => RandomNotification(random, i * 100 + j)).ToList();
            var because = $"digest #{i} of {count}, seed {seed}";

            var root = BlockKitAssert.WithinLimits(SlackDigestBuilder.BuildJson(members, Base, Mentions), because);

            Assert.Equal(count + 2, root.GetProperty("blocks").GetArrayLength());
            AssertLinksNameTheirIncidents(root, members, because);
        }
    }

    [Fact]
    public void A_key_whose_link_is_too_long_for_Slack_gets_no_button_and_the_message_says_why()
    {
        var key = string.Concat(Enumerable.Repeat("😀", 400)); // 400 × 4 UTF-8 bytes × 3 characters per %XX = 4,800
        var single = BlockKitAssert.WithinLimits(SlackMessageBuilder.BuildJson(IncidentLinkTests.Notification(key), Base), "single");
        var digest = BlockKitAssert.WithinLimits(
            SlackDigestBuilder.BuildJson([IncidentLinkTests.Notification(key), IncidentLinkTests.Notification("short")], Base), "digest");

        Assert.Empty(BlockKitAssert.Buttons(single));
        Assert.Contains(BlockKitAssert.MrkdwnTexts(single), t => t.Contains("longer than Slack accepts", StringComparison.Ordinal));
        Assert.Contains(BlockKitAssert.MrkdwnTexts(single), t => t.Contains(key, StringComparison.Ordinal));
        var button = Assert.Single(BlockKitAssert.Buttons(digest));
        Assert.EndsWith("/incidents/short", button.GetProperty("url").GetString());
    }

    /// <summary>With no mentions configured no text holds '&lt;' or '&gt;': a title such as
    /// "&lt;!channel&gt;" or "&lt;https://evil|click&gt;" is shown, never obeyed.</summary>
    private static void AssertNoInjectedMarkup(System.Text.Json.JsonElement root, string? mention, string because)
    {
        foreach (var text in BlockKitAssert.MrkdwnTexts(root))
        {
            var rest = mention is not null && text.StartsWith(mention + " ", StringComparison.Ordinal) ? text[(mention.Length + 1)..] : text;
            Assert.True(rest.IndexOfAny(['<', '>']) < 0, $"markup in '{rest[..Math.Min(80, rest.Length)]}' ({because})");
        }
    }

    private static void AssertLinksNameTheirIncidents(System.Text.Json.JsonElement root, IReadOnlyList<OutboxNotification> members, string because)
    {
        var prefix = "https://ops.example.com/esc/incidents/";
        var linked = BlockKitAssert.Buttons(root).Select(b => b.GetProperty("url").GetString()!).ToList();
        var expected = members.Where(m => IncidentLink.For(Base, m.IncidentKey).Length <= 3000).ToList();
        Assert.Equal(expected.Count, linked.Count);
        foreach (var (url, m) in linked.Zip(expected))
        {
            Assert.StartsWith(prefix, url);
            var segment = url[prefix.Length..];
            Assert.DoesNotContain('/', segment);
            Assert.NotEqual(".", segment);
            Assert.NotEqual("..", segment);
            Assert.Equal(Sanitized(m.IncidentKey), Uri.UnescapeDataString(segment));
        }
        _ = because;
    }

    private (Random Random, int Seed) Seeded()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ESC_FUZZ_SEED"), out var given) ? given : Environment.TickCount;
        output.WriteLine($"seed {seed}");
        return (new Random(seed), seed);
    }

    private static OutboxNotification RandomNotification(Random random, int id) =>
        new(id, Convert.ToHexStringLower(BitConverter.GetBytes((long)id)).PadLeft(64, '0'),
            random.Next(10) == 0 ? (random.Next(2) == 0 ? "." : "..") : RandomText(random, nonEmpty: true),
            random.Next(1, 8),
            random.Next(3) == 0 ? "payments" : RandomText(random, nonEmpty: true),
            random.Next(2) == 0 ? "critical" : RandomText(random, nonEmpty: false),
            RandomText(random, nonEmpty: false),
            0);

    private static readonly string[] Pieces =
    [
        "a", "Z", "0", " ", ".", "/", "%", "?", "#", "&", "<", ">", "<!channel>", "<@U024BE7LH>", "<https://evil.example|click>",
        "&amp;", "*", "_", "~", "`", "\n", "\t", "\0", "ü", "中", "😀", "\ud800", "\udc00", "\u202e", "\ufeff", "…",
    ];

    private static string RandomText(Random random, bool nonEmpty)
    {
        var length = random.Next(40) switch
        {
            0 => random.Next(100_000, 200_000),
            < 5 => random.Next(2_000, 12_000),
            < 9 => 0,
            _ => random.Next(1, 60),
        };
        if (length == 0 && nonEmpty)
        {
            length = 1;
        }
        var text = new StringBuilder(length + 32);
        while (text.Length < length)
        {
            text.Append(Pieces[random.Next(Pieces.Length)]);
        }
        return text.ToString();
    }

    private static string Sanitized(string key) => string.Concat(key.EnumerateRunes().Select(r => r.ToString()));

    private static SlackLevelMentions Parse(string json)
    {
        Assert.True(SlackLevelMentions.TryParse(json, 7, out var mentions, out var problem), problem);
        return mentions;
    }
}
