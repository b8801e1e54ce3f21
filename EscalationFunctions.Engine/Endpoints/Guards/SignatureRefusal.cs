using EscalationFunctions.Engine.Security;

namespace EscalationFunctions.Engine.Endpoints.Guards;

/// <summary>The 401 for each way a timestamped signature (ops HMAC or Slack's v0) can fail, in one wording for both.</summary>
public static class SignatureRefusal
{
    /// <param name="format">What a well-formed signature looks like, e.g. "'sha256=' followed by 64 hex digits".</param>
    public static EndpointAnswer? For(SignatureCheck check, string timestampHeader, string signatureHeader, string format, TimeSpan tolerance) =>
        check switch
        {
            SignatureCheck.Valid => null,
            SignatureCheck.Missing => Unauthorized("missing_signature", $"Sign the call: send {timestampHeader} and {signatureHeader}."),
            SignatureCheck.BadTimestamp => Unauthorized("invalid_timestamp", $"{timestampHeader} must be unix time in seconds."),
            SignatureCheck.StaleTimestamp => Unauthorized("stale_timestamp",
                $"{timestampHeader} must be within {tolerance.TotalSeconds:F0} seconds of the server's time."),
            SignatureCheck.BadFormat => Unauthorized("invalid_signature", $"{signatureHeader} must be {format}."),
            _ => Unauthorized("signature_mismatch", "The signature does not match the timestamp and body."),
        };

    public static EndpointAnswer Unauthorized(string code, string message) => EndpointAnswer.Error(401, code, message);
}
