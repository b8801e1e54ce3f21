using System.Text.Json;

namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// The shape shared by the per-route settings (<c>SLACK_ROUTE_WEBHOOKS</c>, <c>SLACK_ROUTE_CHANNELS</c>):
/// a JSON object of route name to a string value. Each caller judges the values and words its own errors.
/// </summary>
public static class RouteMapJson
{
    /// <summary>The object's entries, or null when <paramref name="raw"/> is not a JSON object.</summary>
    public static Dictionary<string, JsonElement>? Parse(string raw)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(raw);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>An entry's value as text: a string as it is, anything else as its JSON (so an error can show it).</summary>
    public static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
}
