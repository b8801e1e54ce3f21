using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// A plain-text table for a terminal or a log: columns padded to their widest cell, two spaces
/// apart, long cells cut with an ellipsis. No colours or box drawing, so it reads the same piped.
/// </summary>
public sealed class TextTable(params string[] headers)
{
    private const int MaxCellWidth = 60;
    private readonly List<string[]> _rows = [];

    public void Add(params string?[] cells) =>
        _rows.Add(cells.Select(c => Cell(c ?? "")).ToArray());

    public void WriteTo(TextWriter output, string indent = "  ")
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(indent + Line(headers, widths));
        foreach (var row in _rows)
        {
            output.WriteLine(indent + Line(row, widths));
        }
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();

    /// <summary>
    /// One line of at most <see cref="MaxCellWidth"/>: a key, title or error another system wrote may
    /// hold anything, so it is escaped (control characters and U+2028/U+2029 as <c>\uXXXX</c>) and cut
    /// the way the logs show it (reference §6.1).
    /// </summary>
    private static string Cell(string text) => UntrustedText.Escape(text.Trim(), MaxCellWidth);
}
