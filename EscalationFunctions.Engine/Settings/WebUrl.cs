namespace EscalationFunctions.Engine.Settings;

/// <summary>The URL rule of reference §2: absolute https, or http for loopback hosts only.</summary>
public static class WebUrl
{
    public static bool TryParse(string raw, out Uri uri, out string problem)
    {
        problem = "expected an absolute https URL (http only for localhost)";
        if (!Uri.TryCreate(raw.Trim(), UriKind.Absolute, out uri!) || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }
        if (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        {
            return true;
        }
        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            problem = "expected https: plain http is accepted only for localhost";
        }
        return false;
    }
}
