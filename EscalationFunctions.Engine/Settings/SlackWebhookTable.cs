using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Engine.Settings;

/// <summary>Where a route's messages go: its own webhook, else the global one (reference §5).</summary>
public sealed class SlackWebhookTable
{
    public SlackWebhookTable(Uri? global, IReadOnlyDictionary<string, Uri> routes)
    {
        Global = global;
        Routes = routes;
    }

    public Uri? Global { get; }
    public IReadOnlyDictionary<string, Uri> Routes { get; }

    /// <summary>What parsing said of the routes that fall back (one line each), for whoever logs them once.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Routes whose own webhook is invalid and whose messages go to the global webhook instead (reference §2), sorted.</summary>
    public IReadOnlyList<string> FallbackRoutes { get; init => field = value.Order(StringComparer.Ordinal).ToList(); } = [];

    public SlackWebhook For(string route) =>
        Routes.TryGetValue(route, out var own) ? new SlackWebhook(own, $"route '{UntrustedText.Escape(route)}'")
        : Global is not null ? new SlackWebhook(Global, "global")
        : new SlackWebhook(null, "none");

    /// <summary>
    /// Parses <c>SLACK_WEBHOOK_URL</c> and <c>SLACK_ROUTE_WEBHOOKS</c>. A bad global URL or a
    /// malformed JSON map is a problem (start-up fails); a bad URL for one route is a warning and
    /// that route falls back to the global webhook. Messages never contain the URLs themselves.
    /// </summary>
    public static SlackWebhookTable Parse(string? globalRaw, string? routesRaw, ICollection<string> problems, ICollection<string> warnings)
    {
        Uri? global = null;
        if (!string.IsNullOrWhiteSpace(globalRaw))
        {
            if (WebUrl.TryParse(globalRaw, out var uri, out var why))
            {
                global = uri;
            }
            else
            {
                problems.Add($"{SettingNames.SlackWebhookUrl}={SecretMask.Mask(globalRaw)} is invalid: {why}.");
            }
        }

        var routes = new Dictionary<string, Uri>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(routesRaw))
        {
            return new SlackWebhookTable(global, routes);
        }

        if (RouteMapJson.Parse(routesRaw) is not { } entries)
        {
            problems.Add($"{SettingNames.SlackRouteWebhooks}={SecretMask.Mask(routesRaw)} is invalid: expected a JSON object of " +
                         "route name to webhook URL, e.g. {\"payments\":\"https://hooks.slack.com/services/...\"}." +
                         JsonSettingHint.For(SettingNames.SlackRouteWebhooks, routesRaw, """{"payments":"https://hooks.slack.com/services/..."}"""));
            return new SlackWebhookTable(global, routes);
        }

        var fallbacks = new List<string>();
        var fallbackWarnings = new List<string>();
        foreach (var (route, value) in entries)
        {
            var text = RouteMapJson.Text(value);
            if (WebUrl.TryParse(text, out var uri, out var why))
            {
                routes[route] = uri;
            }
            else if (global is null && string.IsNullOrWhiteSpace(globalRaw))
            {
                // Nothing to fall back to: the route's own error is the cause, not the missing global webhook.
                problems.Add($"{SettingNames.SlackRouteWebhooks}: the webhook of route '{UntrustedText.Escape(route)}' ({SecretMask.Mask(text)}) is invalid " +
                             $"({why}), and there is no {SettingNames.SlackWebhookUrl} for it to fall back to.");
            }
            else
            {
                var shown = UntrustedText.Escape(route); // the setting's text: a warning is logged
                fallbacks.Add(route);
                fallbackWarnings.Add($"{SettingNames.SlackRouteWebhooks}: the webhook of route '{shown}' ({SecretMask.Mask(text)}) is invalid " +
                                     $"({why}); route '{shown}' falls back to {SettingNames.SlackWebhookUrl}.");
            }
        }
        foreach (var warning in fallbackWarnings)
        {
            warnings.Add(warning);
        }
        return new SlackWebhookTable(global, routes) { FallbackRoutes = fallbacks, Warnings = fallbackWarnings };
    }
}
