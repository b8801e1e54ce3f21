namespace EscalationFunctions.Engine.Secrets;

/// <summary>Renders a secret setting's value for an error line without revealing it.</summary>
public static class SecretMask
{
    /// <summary>
    /// A URL keeps its scheme and host (which is what is usually wrong: <c>http</c>, a typo in the
    /// host) and loses its path and query, where webhook tokens live. Anything else is replaced whole.
    /// </summary>
    public static string Mask(string value)
    {
        if (Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host))
        {
            return $"{uri.Scheme}://{uri.Host}/***";
        }
        return $"*** ({value.Length} characters, hidden)";
    }
}
