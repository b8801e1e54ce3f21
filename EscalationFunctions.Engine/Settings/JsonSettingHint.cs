namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// The usual reason a JSON setting does not parse when it was written in a shell file such as
/// <c>.local/settings</c> or an <c>export</c> line: the shell took its double quotes away. Said in the
/// error, with the quoting that works, so the cause is not hidden behind "expected a JSON object".
/// </summary>
public static class JsonSettingHint
{
    /// <summary>" It has no double quotes: …" when <paramref name="raw"/> looks like JSON that lost them; else empty.</summary>
    public static string For(string name, string? raw, string example)
    {
        var text = raw?.Trim() ?? "";
        return (text.StartsWith('{') || text.StartsWith('[')) && !text.Contains('"')
            ? $" It has no double quotes: a shell (.local/settings, an export line) removed them; put the JSON in single quotes, e.g. {name}='{example}'."
            : "";
    }
}
