namespace EscalationFunctions.Engine.Endpoints;

/// <summary>How the host's reading of a request body went; the pipeline refuses (and audits) anything but Complete.</summary>
public enum BodyRead
{
    /// <summary>The whole body was read and is within the route's limit (or the route reads none).</summary>
    Complete,

    /// <summary>The body is, or says it is, larger than the route's limit: 413.</summary>
    TooLarge,

    /// <summary>The body could not be read, for example a broken chunked encoding: 400.</summary>
    Malformed,
}
