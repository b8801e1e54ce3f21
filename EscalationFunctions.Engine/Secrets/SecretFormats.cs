namespace EscalationFunctions.Engine.Secrets;

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

    /// <summary>Slack's signing secrets are 32 hex digits; anything much shorter is a paste error.</summary>
    public const int MinSlackSigningSecretLength = 16;

    /// <summary>
    /// <c>SLACK_SIGNING_SECRET</c>: the Slack app's signing secret, or <c>new,old</c> while it is
    /// rotated. Empty means acknowledging from Slack is off (no button, <c>/slack/interactions</c> answers 503).
    /// </summary>
    public static bool TryParseSlackSigningSecrets(string? raw, out IReadOnlyList<string> secrets, out string problem)
    {
        secrets = [];
        problem = "";
        if (string.IsNullOrWhiteSpace(raw))
        {
            return true;
        }
        var items = raw.Split(',').Select(s => s.Trim()).ToArray();
        if (items.Length > 2 || items.Any(i => i.Length < MinSlackSigningSecretLength || i.Any(char.IsWhiteSpace)))
        {
            problem = $"expected the Slack app's signing secret (Basic Information > App Credentials, at least {MinSlackSigningSecretLength} characters), " +
                      "or 'new,old' during rotation";
            return false;
        }
        secrets = items;
        return true;
    }
}
