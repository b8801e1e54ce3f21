namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Where the worker may post a Slack <c>response_url</c> answer (<c>SLACK_RESPONSE_URL_HOSTS</c>,
/// reference §9): the URL comes inside a click's payload, so without this list anyone holding the signing
/// secret's output (or a bug in Slack) could make the worker POST to any address. A URL is allowed
/// when its host is listed exactly (no subdomains), it carries no user info, and it is https, or
/// plain http to a loopback host (tests and local runs).
/// </summary>
public sealed class ResponseUrlHosts
{
    public const string DefaultHost = "hooks.slack.com";
    private const int MaxHosts = 20;

    public const string Expected =
        "expected comma-separated host names the worker may post Slack response_url answers to, e.g. 'hooks.slack.com' " +
        "(no scheme, port or path; 127.0.0.1 or localhost only for tests)";

    public static ResponseUrlHosts Default { get; } = new([DefaultHost]);

    private ResponseUrlHosts(IReadOnlyList<string> hosts) => Hosts = hosts;

    public IReadOnlyList<string> Hosts { get; }

    public static bool TryParse(string? raw, out ResponseUrlHosts hosts, out string problem)
    {
        hosts = Default;
        problem = "";
        if (string.IsNullOrWhiteSpace(raw))
        {
            return true;
        }
        var items = raw.Split(',').Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (items.Length > MaxHosts || items.Any(h => Uri.CheckHostName(h) == UriHostNameType.Unknown))
        {
            problem = Expected;
            return false;
        }
        hosts = new ResponseUrlHosts(items.Distinct(StringComparer.Ordinal).ToArray());
        return true;
    }

    /// <summary>The URL to post to, or null with the reason it is refused (the reason never quotes the URL's path or query).</summary>
    public Uri? Allow(string? responseUrl, out string refusal)
    {
        refusal = "";
        // System.Uri keeps a NUL or other control character as it is; no real response_url holds one, and PostgreSQL cannot store NUL.
        if (string.IsNullOrWhiteSpace(responseUrl) || responseUrl.Length > 3000 || responseUrl.Any(char.IsControl) ||
            !Uri.TryCreate(responseUrl, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            refusal = "response_url is not an absolute URL";
            return null;
        }
        var host = uri.IdnHost.ToLowerInvariant();
        if (!Hosts.Contains(host, StringComparer.Ordinal))
        {
            refusal = $"response_url host '{host}' is not in SLACK_RESPONSE_URL_HOSTS";
            return null;
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            refusal = "response_url carries user info";
            return null;
        }
        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        {
            refusal = $"response_url scheme '{uri.Scheme}' is not https";
            return null;
        }
        return uri;
    }
}
