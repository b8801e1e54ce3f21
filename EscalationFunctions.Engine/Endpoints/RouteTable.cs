namespace EscalationFunctions.Engine.Endpoints;

/// <summary>
/// Every HTTP route of the worker, in one table that both hosts read: the Functions app's triggers
/// take their templates from these constants, the plain server matches requests against
/// <see cref="All"/>, and the function key guards every <see cref="Prefixes">prefix</see>. No
/// <c>/api</c> prefix (host.json sets it empty).
/// </summary>
/// <remarks>
/// Requests are matched on the raw request target, each segment percent-decoded on its own, so a
/// web server's clean-up of dot segments (<c>%2E%2E</c>) cannot turn one route into another and a
/// key holding <c>/</c> (<c>%2F</c>) stays one segment.
/// </remarks>
public static class RouteTable
{
    public const string KeySegment = "{incident_key}";

    public const string TickTemplate = "ops/escalation/tick";
    public const string RecalcTemplate = "ops/escalation/recalc";
    public const string HealthTemplate = "ops/escalation/health";

    /// <summary>Reference §6.2: the key as one path segment, percent-encoded by the caller.</summary>
    public const string AckByPathTemplate = "ops/incidents/" + KeySegment + "/ack";

    /// <summary>Reference §6.2 (1.2): the key in the signed JSON body <c>{"incidentKey": …}</c>, for keys a path cannot carry everywhere.</summary>
    public const string AckByBodyTemplate = "ops/incidents/ack";

    public const string SlackInteractionsTemplate = "slack/interactions";

    /// <summary>The incident link's target in a local run (<c>APP_BASE_URL</c> is the worker itself).</summary>
    public const string IncidentPageTemplate = "incidents/" + KeySegment;

    /// <summary>Reference §6: tick, recalc and ack bodies are at most 64 KiB.</summary>
    public const int MaxOpsBodyBytes = 64 * 1024;

    /// <summary>Slack's interaction payloads carry the clicked message (up to 50 blocks), form-encoded: more room than ops calls.</summary>
    public const int MaxSlackBodyBytes = 1024 * 1024;

    public static readonly EndpointRoute Tick = new("tick", "POST", TickTemplate, RouteGuard.OpsSignature, MaxOpsBodyBytes, ChangesState: true);
    public static readonly EndpointRoute Recalc = new("recalc", "POST", RecalcTemplate, RouteGuard.OpsSignature, MaxOpsBodyBytes, ChangesState: true);
    public static readonly EndpointRoute Health = new("health", "GET", HealthTemplate, RouteGuard.None, 0, ChangesState: false);
    public static readonly EndpointRoute AckByPath = new("ack", "POST", AckByPathTemplate, RouteGuard.OpsSignature, MaxOpsBodyBytes, ChangesState: true);
    public static readonly EndpointRoute AckByBody = new("ack", "POST", AckByBodyTemplate, RouteGuard.OpsSignature, MaxOpsBodyBytes, ChangesState: true);

    public static readonly EndpointRoute SlackInteractions =
        new("slack_interactions", "POST", SlackInteractionsTemplate, RouteGuard.SlackSignature, MaxSlackBodyBytes, ChangesState: true);

    public static readonly EndpointRoute IncidentPage =
        new("incident", "GET", IncidentPageTemplate, RouteGuard.None, 0, ChangesState: false, ServedByFunctionsApp: false);

    public static readonly IReadOnlyList<EndpointRoute> All = [Tick, Recalc, Health, AckByPath, AckByBody, SlackInteractions, IncidentPage];

    /// <summary>The first path segments of the routes: every request under one needs the function key, known route or not.</summary>
    public static readonly IReadOnlyList<string> Prefixes = All.Select(r => r.Prefix).Distinct().ToList();

    /// <summary>
    /// The route a raw request path (as received, still percent-encoded, without the query) names,
    /// and its key segment still encoded; null when it names none. Literal segments compare
    /// case-insensitively after decoding, as ASP.NET Core routing does.
    /// </summary>
    public static RouteMatch? Match(string rawPath)
    {
        var segments = Segments(rawPath);
        foreach (var route in All)
        {
            var template = route.Template.Split('/');
            if (template.Length != segments.Length)
            {
                continue;
            }
            string? key = null;
            var matched = true;
            for (var i = 0; i < template.Length && matched; i++)
            {
                if (template[i] == KeySegment)
                {
                    key = segments[i];
                    matched = key.Length > 0;
                }
                else
                {
                    matched = IncidentKeySegment.TryDecode(segments[i], out var literal) &&
                              string.Equals(literal, template[i], StringComparison.OrdinalIgnoreCase);
                }
            }
            if (matched)
            {
                return new RouteMatch(route, key);
            }
        }
        return null;
    }

    /// <summary>Whether a path (raw or decoded) lies under a route prefix, so that the host requires the function key for it.</summary>
    public static bool IsUnderPrefix(string path)
    {
        var segments = Segments(path);
        return segments.Length > 0 && IncidentKeySegment.TryDecode(segments[0], out var first) &&
               Prefixes.Contains(first, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The list of routes for a "no such route" answer.</summary>
    public static string Describe() => string.Join(", ", All.Select(r => r.ToString()));

    private static string[] Segments(string path)
    {
        var trimmed = path.Split('?', 2)[0].TrimStart('/');
        return trimmed.Length == 0 ? [] : trimmed.Split('/');
    }
}
