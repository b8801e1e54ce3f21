namespace EscalationFunctions.Engine.Configuration;

/// <summary>Formats of secret settings, shared by start-up validation and rotation.</summary>
public static class SecretFormats
{
    public const int MinHmacKeyLength = 32;

    /// <summary><c>OPS_HMAC_SECRET</c>: one key, or <c>new,old</c> during rotation; each at least 32 characters. Empty means not configured.</summary>
    public static bool TryParseHmacKeys(string? raw, out IReadOnlyList<string> keys, out string problem)
    {
        keys = [];
        problem = "";
        if (string.IsNullOrWhiteSpace(raw))
        {
            return true;
        }
        var items = raw.Split(',').Select(s => s.Trim()).ToArray();
        if (items.Length > 2 || items.Any(i => i.Length < MinHmacKeyLength))
        {
            problem = $"expected one HMAC key of at least {MinHmacKeyLength} characters, or 'new,old' during rotation";
            return false;
        }
        keys = items;
        return true;
    }
}
