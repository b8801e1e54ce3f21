using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EscalationFunctions.Engine.Ops;

/// <summary>What an ops call answers: a status, a JSON body, and extra headers (Retry-After, Allow).</summary>
public sealed record OpsResponse(int Status, string Json, IReadOnlyDictionary<string, string> Headers, string Outcome)
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // Apostrophes and non-ASCII letters as themselves, not \u0027: the answers are read by people
        // too. Still valid JSON, and safe: it is served as application/json, never inlined into HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    public static OpsResponse Ok(object body) => new(200, JsonSerializer.Serialize(body, JsonOptions), NoHeaders, "ok");

    /// <summary>Every error is <c>{"error": "&lt;code&gt;", "message": "&lt;human sentence&gt;"}</c> (spec §6).</summary>
    public static OpsResponse Error(int status, string code, string message, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, JsonSerializer.Serialize(new { error = code, message }, JsonOptions), headers ?? NoHeaders, code);
}
