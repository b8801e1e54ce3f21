using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>
/// The one serializer of everything the worker answers or records as JSON: every route's answer,
/// the audit details and <c>escalation_ticks.last_result</c>, so the same value is written the same
/// way everywhere. Source-generated: a type not listed here does not serialize (and fails its test).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ErrorAnswer))]
[JsonSerializable(typeof(TickAnswer))]
[JsonSerializable(typeof(RecalcAnswer))]
[JsonSerializable(typeof(HealthAnswer))]
[JsonSerializable(typeof(AckAnswer))]
[JsonSerializable(typeof(SlackClickAnswer))]
[JsonSerializable(typeof(IncidentPage))]
[JsonSerializable(typeof(IncidentKeyDetails))]
[JsonSerializable(typeof(IgnoredActionDetails))]
[JsonSerializable(typeof(SlackClickDetails))]
public sealed partial class AnswerJson : JsonSerializerContext
{
    /// <summary>
    /// Apostrophes and non-ASCII letters as themselves, not <c>\u0027</c>: people read these answers
    /// too. Still valid JSON with control characters escaped, and safe: it is served as
    /// <c>application/json</c>, never inlined into HTML.
    /// </summary>
    public static AnswerJson Context { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Serializes any type listed above; throws for one that is not.</summary>
    public static string Serialize(object value) => JsonSerializer.Serialize(value, value.GetType(), Context);
}
