using EscalationFunctions.Engine.Ops;

namespace EscalationFunctions.Engine.Security;

/// <summary>Spec §6 step 1: the body is at most 64 KiB (else 413) and could be read at all (else 400).</summary>
public static class OpsBodyCheck
{
    public static OpsResponse? Check(OpsRequest request) => request.BodyRead switch
    {
        OpsBodyRead.TooLarge => OpsResponse.Error(413, "payload_too_large", $"The request body must be at most {OpsRequest.MaxBodyBytes} bytes."),
        OpsBodyRead.Malformed => OpsResponse.Error(400, "invalid_body", "The request body could not be read (malformed framing)."),
        _ => null,
    };
}
