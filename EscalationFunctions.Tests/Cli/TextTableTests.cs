using EscalationFunctions.Server.Commands;

namespace EscalationFunctions.Tests.Cli;

/// <summary>The status command's table shows what other systems wrote (keys, titles, errors) one row per line, escaped as the logs show it.</summary>
[Lane(TestLane.Unit)]
public class TextTableTests
{
    [Fact]
    public void A_hostile_cell_stays_on_its_row_escaped_and_cut()
    {
        var table = new TextTable("INCIDENT", "TITLE");
        table.Add("FAKE-1\r\nINJECTED \u001b[31mred\u2028FAKE\ttab", "  DB down\u2029FAKE" + new string('t', 500) + "  ");
        var output = new StringWriter();

        table.WriteTo(output);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("  FAKE-1\\u000d\\u000aINJECTED \\u001b[31mred\\u2028FAKE\\u0009tab  DB down\\u2029FAKEttt", lines[1]);
        Assert.EndsWith("…", lines[1]);
        Assert.DoesNotContain(lines[1], c => char.IsControl(c) || c is '\u2028' or '\u2029');
        Assert.True(lines[1].Length <= 2 + 60 + 2 + 60, $"{lines[1].Length} characters");
    }
}
