namespace EscalationFunctions.Engine.Ops;

/// <summary>How the host's reading of a tick or recalc body went; the handler refuses (and audits) anything but Complete.</summary>
public enum OpsBodyRead
{
    /// <summary>The whole body was read and is at most <see cref="OpsRequest.MaxBodyBytes"/>.</summary>
    Complete,

    /// <summary>The body is, or says it is, larger than <see cref="OpsRequest.MaxBodyBytes"/>: 413.</summary>
    TooLarge,

    /// <summary>The body could not be read, for example a broken chunked encoding: 400.</summary>
    Malformed,
}
