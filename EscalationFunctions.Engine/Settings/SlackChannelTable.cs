using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Engine.Settings;

/// <summary>Which channel a route's pages go to in Slack app mode (reference §10.1): its own, else <c>SLACK_CHANNEL</c>.</summary>
public sealed partial class SlackChannelTable(string? global, IReadOnlyDictionary<string, string> routes)
{
    public string? Global { get; } = global;
    public IReadOnlyDictionary<string, string> Routes { get; } = routes;

    /// <summary>The route's channel id, or null when it has none (its pages fail until one is set).</summary>
    public string? For(string route) => Routes.TryGetValue(route, out var own) ? own : Global;

    /// <summary>
    /// Parses <c>SLACK_CHANNEL</c> and <c>SLACK_ROUTE_CHANNELS</c>; each bad value is one problem line.
    /// A channel id is what Slack shows under the channel's name: <c>C…</c> (public or private
    /// channel) or <c>G…</c> (older private channel), upper-case letters and digits. A channel's
    /// name (<c>#payments</c>) is refused: chat.update needs the id, and names change.
    /// </summary>
    public static SlackChannelTable Parse(string? globalRaw, string? routesRaw, ICollection<string> problems)
    {
        string? global = null;
        if (!string.IsNullOrWhiteSpace(globalRaw))
        {
            if (IsChannelId(globalRaw.Trim()))
            {
                global = globalRaw.Trim();
            }
            else
            {
                problems.Add($"{SettingNames.SlackChannel}='{UntrustedText.Escape(globalRaw.Trim())}' is invalid: {Expected}.");
            }
        }

        var routes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(routesRaw))
        {
            return new SlackChannelTable(global, routes);
        }
        if (RouteMapJson.Parse(routesRaw) is not { } entries)
        {
            problems.Add($"{SettingNames.SlackRouteChannels}='{UntrustedText.Escape(routesRaw.Trim())}' is invalid: expected a JSON object of " +
                         "route name to channel id, e.g. {\"payments\":\"C0123ABCD\"}." +
                         JsonSettingHint.For(SettingNames.SlackRouteChannels, routesRaw, """{"payments":"C0123ABCD"}"""));
            return new SlackChannelTable(global, routes);
        }
        foreach (var (route, value) in entries)
        {
            var channel = RouteMapJson.Text(value).Trim();
            if (IsChannelId(channel))
            {
                routes[route] = channel;
            }
            else
            {
                problems.Add($"{SettingNames.SlackRouteChannels}: the channel of route '{UntrustedText.Escape(route)}' " +
                             $"('{UntrustedText.Escape(channel)}') is invalid: {Expected}.");
            }
        }
        return new SlackChannelTable(global, routes);
    }

    private const string Expected = "expected a channel id such as 'C0123ABCD' (the channel's details in Slack show it), not its name";

    public static bool IsChannelId(string text) => ChannelId().IsMatch(text);

    [GeneratedRegex("^[CG][A-Z0-9]{2,20}\\z")]
    private static partial Regex ChannelId();
}
