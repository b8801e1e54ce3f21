using System.Text.Json;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Tests.Slack;

[Lane(TestLane.Unit)]
public class IncidentLinkTests
{
    private static readonly Uri Base = new("https://ops.example.com/esc/");

    [Theory]
    [InlineData(".", "https://ops.example.com/esc/incidents/%2E")]
    [InlineData("..", "https://ops.example.com/esc/incidents/%2E%2E")]
    [InlineData("...", "https://ops.example.com/esc/incidents/...")]
    [InlineData("INC 7/ü", "https://ops.example.com/esc/incidents/INC%207%2F%C3%BC")]
    [InlineData("a?b#c%d", "https://ops.example.com/esc/incidents/a%3Fb%23c%25d")]
    [InlineData("../admin", "https://ops.example.com/esc/incidents/..%2Fadmin")]
    [InlineData("😀", "https://ops.example.com/esc/incidents/%F0%9F%98%80")]
    public void The_key_is_one_path_segment_and_dot_keys_are_escaped(string key, string expected)
    {
        Assert.Equal(expected, IncidentLink.For(Base, key));
        // The URL as it travels in the message's JSON, and as System.Uri keeps it.
        var button = BlockKitAssert.Buttons(JsonDocument.Parse(SlackMessageBuilder.BuildJson(Notification(key), Base)).RootElement).Single();
        Assert.Equal(expected, button.GetProperty("url").GetString());
        Assert.Equal(expected, SlackMessageBuilder.IncidentUrl(Base, key).AbsoluteUri);
    }

    [Theory]
    [InlineData("https://ops.example.com")]
    [InlineData("https://ops.example.com/")]
    [InlineData("https://ops.example.com/?tenant=a#top")]
    public void The_base_url_joins_with_one_slash_and_drops_its_query(string baseUrl)
    {
        Assert.Equal("https://ops.example.com/incidents/INC-1", IncidentLink.For(new Uri(baseUrl), "INC-1"));
    }

    [Fact]
    public void System_Uri_would_undo_the_escaped_dots_so_the_message_carries_the_link_as_text()
    {
        // Why IncidentLink returns a string: a default System.Uri resolves %2E%2E as a dot segment.
        Assert.Equal("https://ops.example.com/esc/", new Uri(IncidentLink.For(Base, "..")).AbsoluteUri);
        Assert.Equal("https://ops.example.com/esc/incidents/%2E%2E", SlackMessageBuilder.IncidentUrl(Base, "..").ToString());
    }

    [Fact]
    public void A_lone_surrogate_in_a_key_gives_a_link_not_an_exception()
    {
        Assert.Equal("https://ops.example.com/esc/incidents/a%EF%BF%BDb", IncidentLink.For(Base, "a\ud800b"));
    }

    internal static OutboxNotification Notification(string key, string title = "Disk full", int level = 1, string route = "payments") =>
        new(1, new string('d', 64), key, level, route, "critical", title, 0);
}
