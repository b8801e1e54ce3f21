using System.Globalization;
using EscalationFunctions.Engine.Secrets;

namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Raw setting values and the parsing of one value (whole numbers, booleans, enums, URLs, lists).
/// A bad value adds one line to <see cref="Problems"/> and yields the fallback, so one run shows
/// every bad setting instead of stopping at the first.
/// </summary>
public sealed class SettingValues(Func<string, string?> lookup)
{
    public List<string> Problems { get; } = [];
    public List<string> Warnings { get; } = [];

    /// <summary>Throws one <see cref="SettingsException"/> with every problem found, if any.</summary>
    public void ThrowIfProblems()
    {
        if (Problems.Count > 0)
        {
            throw new SettingsException([.. Problems]);
        }
    }

    public string? Raw(string name) => lookup(name);

    public bool Has(string name) => !string.IsNullOrWhiteSpace(lookup(name));

    /// <summary>A value as an error line may show it: secrets masked, others quoted.</summary>
    public static string Shown(string name, string value) =>
        SettingNames.Secrets.Contains(name) ? SecretMask.Mask(value) : $"'{value}'";

    /// <summary>Adds a problem line that quotes a value which may span lines: control characters become spaces, so the error stays one line.</summary>
    public void AddOneLine(string line) => Problems.Add(string.Concat(line.Select(c => char.IsControl(c) ? ' ' : c)));

    public bool Bool(string name, bool fallback)
    {
        var raw = Raw(name);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }
        if (bool.TryParse(raw.Trim(), out var value))
        {
            return value;
        }
        Problems.Add($"{name}={Shown(name, raw)} is invalid: expected 'true' or 'false'.");
        return fallback;
    }

    public int Int(string name, int fallback, int min, int max)
    {
        var raw = Raw(name);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }
        if (int.TryParse(raw.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }
        Problems.Add($"{name}={Shown(name, raw)} is invalid: expected a whole number from {min} to {max}.");
        return fallback;
    }

    public TimeSpan Milliseconds(string name, int fallback, int min, int max) =>
        TimeSpan.FromMilliseconds(Int(name, fallback, min, max));

    public string Text(string name, string fallback)
    {
        var raw = Raw(name);
        return string.IsNullOrWhiteSpace(raw) ? fallback : raw.Trim();
    }

    public T Enum<T>(string name, T fallback) where T : struct, System.Enum
    {
        var raw = Raw(name);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }
        if (System.Enum.TryParse<T>(raw.Trim(), ignoreCase: true, out var value) && System.Enum.IsDefined(value))
        {
            return value;
        }
        var allowed = string.Join("' or '", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
        Problems.Add($"{name}={Shown(name, raw)} is invalid: expected '{allowed}'.");
        return fallback;
    }

    public Uri? Url(string name, bool required)
    {
        var raw = Raw(name);
        if (string.IsNullOrWhiteSpace(raw))
        {
            if (required)
            {
                Problems.Add($"{name} is not set: expected an absolute https URL (http only for localhost).");
            }
            return null;
        }
        if (WebUrl.TryParse(raw, out var uri, out var why))
        {
            return uri;
        }
        Problems.Add($"{name}={Shown(name, raw)} is invalid: {why}.");
        return null;
    }

    public IReadOnlyList<string> List(string name, int minLength, int maxItems, string expected)
    {
        var raw = Raw(name);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return [];
        }
        var items = raw.Split(',').Select(s => s.Trim()).ToArray();
        if (items.Length > maxItems || items.Any(i => i.Length < minLength))
        {
            Problems.Add($"{name}={Shown(name, raw)} is invalid: {expected}.");
            return [];
        }
        return items;
    }
}
