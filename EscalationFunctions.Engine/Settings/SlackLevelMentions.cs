using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Who is paged at each level (reference §5.5, <c>SLACK_LEVEL_MENTIONS</c>): route name or <c>*</c> →
/// level → mention in Slack's syntax. The route's entry wins over <c>*</c> for the same level.
/// </summary>
public sealed partial class SlackLevelMentions
{
    public const string AnyRoute = "*";

    public const string Expected =
        "expected a JSON object of route name (or \"*\") to an object of level to Slack mention(s) " +
        "(<!here>, <!channel>, <@U…>, <@W…>, <!subteam^S…>; several separated by spaces), " +
        "e.g. {\"*\": {\"3\": \"<!here>\"}, \"payments\": {\"2\": \"<@U024BE7LH>\"}}";

    public static SlackLevelMentions None { get; } = new(new Dictionary<string, IReadOnlyDictionary<int, string>>());

    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<int, string>> byRoute;

    private SlackLevelMentions(IReadOnlyDictionary<string, IReadOnlyDictionary<int, string>> byRoute) => this.byRoute = byRoute;

    public bool IsEmpty => byRoute.Count == 0;

    /// <summary>The mention that opens a message for <paramref name="route"/> at <paramref name="level"/>, or null.</summary>
    public string? For(string route, int level) =>
        byRoute.TryGetValue(route, out var own) && own.TryGetValue(level, out var mention) ? mention
        : byRoute.TryGetValue(AnyRoute, out var any) && any.TryGetValue(level, out mention) ? mention
        : null;

    /// <summary>Parses the setting; <paramref name="problem"/> says what is wrong and what is expected.</summary>
    public static bool TryParse(string? raw, int maxLevel, out SlackLevelMentions mentions, out string problem)
    {
        mentions = None;
        problem = "";
        if (string.IsNullOrWhiteSpace(raw))
        {
            return true;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(raw);
        }
        catch (JsonException)
        {
            problem = $"not JSON: {Expected}";
            return false;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = Expected;
                return false;
            }
            var byRoute = new Dictionary<string, IReadOnlyDictionary<int, string>>(StringComparer.Ordinal);
            foreach (var route in document.RootElement.EnumerateObject())
            {
                if (string.IsNullOrWhiteSpace(route.Name) || route.Value.ValueKind != JsonValueKind.Object)
                {
                    problem = $"route '{route.Name}' must name a route and hold an object of level to mention: {Expected}";
                    return false;
                }
                var levels = new Dictionary<int, string>();
                foreach (var entry in route.Value.EnumerateObject())
                {
                    if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var level) || level < 1 || level > maxLevel)
                    {
                        problem = $"route '{route.Name}' has level '{entry.Name}': expected levels 1 to {maxLevel} (MAX_ESC_LEVEL)";
                        return false;
                    }
                    var mention = entry.Value.ValueKind == JsonValueKind.String ? Normalized(entry.Value.GetString()!) : null;
                    if (mention is null)
                    {
                        problem = $"route '{route.Name}' level {level} has mention {entry.Value.GetRawText()}: " +
                                  "expected Slack's syntax <!here>, <!channel>, <@U…>, <@W…> or <!subteam^S…> (several separated by spaces)";
                        return false;
                    }
                    levels[level] = mention;
                }
                byRoute[route.Name] = levels;
            }
            mentions = new SlackLevelMentions(byRoute);
            return true;
        }
    }

    /// <summary>The mentions joined by single spaces, or null when one is not in Slack's syntax.</summary>
    private static string? Normalized(string value)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0 && parts.Length <= 20 && parts.All(p => MentionSyntax().IsMatch(p)) ? string.Join(' ', parts) : null;
    }

    [GeneratedRegex(@"^(?:<!here>|<!channel>|<@[UW][A-Z0-9]{2,20}>|<!subteam\^S[A-Z0-9]{2,20}>)\z", RegexOptions.CultureInvariant)]
    private static partial Regex MentionSyntax();
}
