using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Tests.Ops;

/// <summary>What callers and other systems write (names, paths, incident keys) cannot split or forge a log line, nor stop PostgreSQL storing it.</summary>
[Lane(TestLane.Unit)]
public class UntrustedTextTests
{
    [Theory]
    [InlineData("alice@example.com", "alice@example.com")]
    [InlineData("a\0b", "a\\u0000b")]
    [InlineData("a\r\nFAKE", "a\\u000d\\u000aFAKE")]
    [InlineData("a\u2028b\u2029c\u0085d\u001b[31m", "a\\u2028b\\u2029c\\u0085d\\u001b[31m")]
    [InlineData("pair 🚨 kept, tab\tescaped", "pair 🚨 kept, tab\\u0009escaped")]
    [InlineData("admin\u202egnp.exe \u2066x\u2069 \u200fy", "admin\\u202egnp.exe \\u2066x\\u2069 \\u200fy")]
    [InlineData("", "")]
    public void Control_characters_are_escaped_and_everything_else_is_kept(string text, string expected) =>
        Assert.Equal(expected, UntrustedText.Escape(text));

    [Fact]
    public void Lone_surrogates_are_escaped()
    {
        // Not as theory data: the test runner's serialisation turns a lone surrogate into U+FFFD.
        Assert.Equal("lone \\ud800 high", UntrustedText.Escape("lone " + (char)0xD800 + " high"));
        Assert.Equal("lone \\udc00 low", UntrustedText.Escape("lone " + (char)0xDC00 + " low"));
        Assert.Equal("end \\ud83d", UntrustedText.Escape("end " + (char)0xD83D));
    }

    [Fact]
    public void Long_text_is_cut_with_an_ellipsis_never_inside_a_surrogate_pair()
    {
        Assert.Equal(new string('k', 9) + "…", UntrustedText.Escape(new string('k', 5000), 10));
        Assert.Equal(new string('k', 8) + "…", UntrustedText.Escape(new string('k', 8) + "🚨🚨", 10));
        Assert.Equal(new string('k', 10), UntrustedText.Escape(new string('k', 10), 10));
    }
}
