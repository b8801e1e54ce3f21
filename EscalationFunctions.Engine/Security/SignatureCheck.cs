namespace EscalationFunctions.Engine.Security;

/// <summary>What checking a timestamped signature found (ops calls and Slack requests alike).</summary>
public enum SignatureCheck
{
    Valid,
    Missing,
    BadTimestamp,
    StaleTimestamp,
    BadFormat,
    Mismatch,
}
