using EscalationFunctions.Engine.Endpoints.Answers;

namespace EscalationFunctions.Engine.Endpoints;

/// <summary>What a route answers: a status, a JSON body, extra headers (Retry-After, Allow), and the outcome the audit row records.</summary>
public sealed record EndpointAnswer(int Status, string Json, IReadOnlyDictionary<string, string> Headers, string Outcome)
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <param name="body">One of the records <see cref="AnswerJson"/> lists.</param>
    public static EndpointAnswer Ok(object body) => new(200, AnswerJson.Serialize(body), NoHeaders, "ok");

    /// <summary>Every refusal is <c>{"error": "&lt;code&gt;", "message": "&lt;human sentence&gt;"}</c> (reference §6); the code is the audited outcome.</summary>
    public static EndpointAnswer Error(int status, string code, string message, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, AnswerJson.Serialize(new ErrorAnswer(code, message)), headers ?? NoHeaders, code);
}
