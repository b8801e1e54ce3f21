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

    /// <summary>One line, no control characters (a title or an error may hold anything), at most <see cref="MaxCellWidth"/>.</summary>
    private static string Cell(string text)
    {
        var clean = new string(text.Select(ch => char.IsControl(ch) ? ' ' : ch).ToArray()).Trim();
        return clean.Length <= MaxCellWidth ? clean : clean[..(MaxCellWidth - 1)] + "…";
    }
}
