using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Engine.Endpoints.Handlers;

/// <summary>
/// Where the routes about one incident find its key (reference §6.2): a path segment that must
/// percent-decode to valid UTF-8 (<see cref="IncidentKeySegment"/>), or the signed JSON body
/// <c>{"incidentKey": "…"}</c>. A key that cannot be read is a 400 that names no incident.
/// </summary>
internal static class IncidentKeys
{
    public static EndpointAnswer? FromSegment(EndpointRequest request, out string key)
    {
        key = "";
        return request.KeySegment is { } segment && IncidentKeySegment.TryDecode(segment, out key)
            ? null
            : EndpointAnswer.Error(400, "invalid_incident_key",
                "The incident key in the path must be percent-encoded UTF-8 (as incident links write it), and behind the Functions host " +
                $"hold no '%'; for any key, POST /{RouteTable.AckByBodyTemplate} with {{\"incidentKey\": \"…\"}} instead.");
    }

    public static EndpointAnswer? FromBody(EndpointRequest request, out string key)
    {
        key = "";
        const string expected = "The body must be the JSON object {\"incidentKey\": \"<key>\"}";
        if (!UntrustedJson.TryParse(request.Body, out var document))
        {
            return EndpointAnswer.Error(400, "invalid_json", $"{expected}; it is not JSON (or not UTF-8).");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                return EndpointAnswer.Error(400, "invalid_json", $"{expected}; it is JSON but not an object.");
            }
            var problem = UntrustedJson.ReadString(document.RootElement, "incidentKey", out key);
            return problem switch
            {
                JsonFieldProblem.None when key.Length > 0 => null,
                JsonFieldProblem.None => EndpointAnswer.Error(400, "invalid_incident_key", $"{expected}; 'incidentKey' is empty."),
                JsonFieldProblem.Missing or JsonFieldProblem.WrongType =>
                    EndpointAnswer.Error(400, "invalid_incident_key", $"{expected}; {UntrustedJson.Describe(problem, "incidentKey")}."),
                _ => EndpointAnswer.Error(400, "invalid_json", $"{expected}; {UntrustedJson.Describe(problem, "incidentKey")}."),
            };
        }
    }

    /// <summary>How a key appears in a log line or an audit row: escaped and cut.</summary>
    public static string ForLog(string key) => UntrustedText.Escape(key);
}
