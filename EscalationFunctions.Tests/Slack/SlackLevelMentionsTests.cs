using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Messages;

namespace EscalationFunctions.Tests.Slack;

[Lane(TestLane.Unit)]
public class SlackLevelMentionsTests
{
    private static readonly Uri Base = new("https://ops.example.com");

    private const string SpecExample =
        """{"*": {"3": "<!here>"}, "payments": {"2": "<@U024BE7LH>", "3": "<!channel>", "5": "<!subteam^SAZ94GDB8>"}}""";

    [Fact]
    public void The_routes_entry_wins_over_the_star_for_the_same_level()
    {
        var mentions = Parse(SpecExample);

        Assert.Equal("<@U024BE7LH>", mentions.For("payments", 2));
        Assert.Equal("<!channel>", mentions.For("payments", 3));
        Assert.Equal("<!here>", mentions.For("search", 3));
        Assert.Equal("<!subteam^SAZ94GDB8>", mentions.For("payments", 5));
        Assert.Null(mentions.For("payments", 1));
        Assert.Null(mentions.For("search", 2));
        Assert.Null(SlackLevelMentions.None.For("payments", 3));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"payments": {}}""")]
    public void Empty_settings_mention_nobody(string? raw)
    {
        Assert.Null(Parse(raw).For("payments", 1));
    }

    [Fact]
    public void Several_mentions_for_one_level_are_kept_with_single_spaces()
    {
        Assert.Equal("<!here> <@W0123ABC> <@U999>", Parse("""{"*": {"1": "  <!here>   <@W0123ABC> <@U999> "}}""").For("x", 1));
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[1]", "expected a JSON object")]
    [InlineData("""{"payments": "<!here>"}""", "route 'payments'")]
    [InlineData("""{"": {"1": "<!here>"}}""", "route ''")]
    [InlineData("""{"payments": {"0": "<!here>"}}""", "level '0': expected levels 1 to 7")]
    [InlineData("""{"payments": {"8": "<!here>"}}""", "level '8': expected levels 1 to 7")]
    [InlineData("""{"payments": {"two": "<!here>"}}""", "level 'two'")]
    [InlineData("""{"payments": {"+2": "<!here>"}}""", "level '+2'")]
    [InlineData("""{"*": {"2": "@here"}}""", "level 2 has mention \"@here\"")]
    [InlineData("""{"*": {"2": "<!everyone>"}}""", "<!everyone>")]
    [InlineData("""{"*": {"2": "<@u024be7lh>"}}""", "<@u024be7lh>")]
    [InlineData("""{"*": {"2": "<#C024BE7LH>"}}""", "<#C024BE7LH>")]
    [InlineData("""{"*": {"2": "<!subteam^T123>"}}""", "<!subteam^T123>")]
    [InlineData("""{"*": {"2": "<!here>x"}}""", "<!here>x")]
    [InlineData("""{"*": {"2": "<!here>\n"}}""", "level 2")]
    [InlineData("""{"*": {"2": ""}}""", "level 2")]
    [InlineData("""{"*": {"2": 3}}""", "level 2 has mention 3")]
    public void A_bad_value_is_refused_saying_where_and_what_is_expected(string raw, string named)
    {
        Assert.False(SlackLevelMentions.TryParse(raw, 7, out var mentions, out var problem));

        Assert.Contains(named, problem);
        Assert.Contains("expected", problem);
        Assert.True(mentions.IsEmpty);
    }

    [Fact]
    public void The_mention_opens_a_single_messages_text_and_first_block()
    {
        var mentions = Parse(SpecExample);
        var n = SlackDigestBuilderTests.Member("INC-1", 2, "payments", "critical", "<!channel> DB down");

        var root = BlockKitAssert.WithinLimits(SlackMessageBuilder.BuildJson(n, Base, mentions), "single");

        Assert.StartsWith("<@U024BE7LH> Escalated to level 2: &lt;!channel&gt; DB down", root.GetProperty("text").GetString());
        Assert.StartsWith("<@U024BE7LH> *Escalated to level 2:*", FirstBlockText(root));
        var quiet = JsonDocument.Parse(SlackMessageBuilder.BuildJson(n with { Level = 1 }, Base, mentions)).RootElement;
        Assert.StartsWith("Escalated to level 1:", quiet.GetProperty("text").GetString());
        Assert.StartsWith("*Escalated to level 1:*", FirstBlockText(quiet));
    }

    [Fact]
    public void Each_digest_entry_opens_with_its_mention_and_the_text_with_every_distinct_one()
    {
        var mentions = Parse(SpecExample);
        var members = new[]
        {
            SlackDigestBuilderTests.Member("INC-1", 2, "payments", "critical", "a"),
            SlackDigestBuilderTests.Member("INC-2", 3, "search", "critical", "b"),
            SlackDigestBuilderTests.Member("INC-3", 1, "search", "critical", "c"),
            SlackDigestBuilderTests.Member("INC-4", 3, "other", "critical", "d"),
        };

        var root = BlockKitAssert.WithinLimits(SlackDigestBuilder.BuildJson(members, Base, mentions), "digest");

        var entries = root.GetProperty("blocks").EnumerateArray().ToArray()[1..^1];
        Assert.StartsWith("<@U024BE7LH> *Level 2*", Text(entries[0]));
        Assert.StartsWith("<!here> *Level 3*", Text(entries[1]));
        Assert.StartsWith("*Level 1*", Text(entries[2]));
        Assert.StartsWith("<!here> *Level 3*", Text(entries[3]));
        Assert.StartsWith("<@U024BE7LH> <!here> 4 escalations", root.GetProperty("text").GetString());
    }

    private static string FirstBlockText(JsonElement root) => Text(root.GetProperty("blocks")[0]);

    private static string Text(JsonElement block) => block.GetProperty("text").GetProperty("text").GetString()!;

    private static SlackLevelMentions Parse(string? raw)
    {
        Assert.True(SlackLevelMentions.TryParse(raw, 7, out var mentions, out var problem), problem);
        return mentions;
    }
}
