using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Messages;

namespace EscalationFunctions.Tests.Slack;

[Lane(TestLane.Unit)]
public class SlackTextTests
{
    [Fact]
    public void Text_within_the_limit_is_only_escaped()
    {
        Assert.Equal("a &lt;!channel&gt; &amp; b", SlackText.Mrkdwn("a <!channel> & b", 26));
        Assert.Equal("a <b>", SlackText.Plain("a <b>", 5));
    }

    [Fact]
    public void Longer_text_ends_with_an_ellipsis_at_exactly_the_limit()
    {
        var cut = SlackText.Plain(new string('x', 200), 150);
        Assert.Equal(150, cut.Length);
        Assert.EndsWith("x…", cut);
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair_or_an_escape()
    {
        // 😀 is two UTF-16 units; with room for 4 units, "a😀😀" (5) cannot fit, "a😀…" (4) can.
        Assert.Equal("a😀…", SlackText.Plain("a😀😀", 4));
        Assert.Equal("ab…", SlackText.Plain("ab😀", 3));
        // "&" escaped is five units: it is kept whole or left out.
        Assert.Equal("ab…", SlackText.Mrkdwn("ab&cd", 5));
        Assert.Equal("ab&amp;…", SlackText.Mrkdwn("ab&cdefgh", 8));
        Assert.Equal("x…", SlackText.Cut("x&amp;yyyyyyyyy", 5));
    }

    [Fact]
    public void Lone_surrogates_become_the_replacement_character()
    {
        Assert.Equal("a\ufffdb\ufffd", SlackText.Plain("a\ud800b\udc00", 10));
    }
}
