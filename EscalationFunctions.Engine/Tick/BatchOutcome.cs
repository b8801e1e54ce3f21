namespace EscalationFunctions.Engine.Tick;

/// <summary>What one batch of a tick did: incidents claimed and raised, those newly recorded and queued, those quarantined.</summary>
internal readonly record struct BatchOutcome(int Claimed, int Escalated, int Quarantined)
{
    public static BatchOutcome None => default;

    public static BatchOutcome operator +(BatchOutcome a, BatchOutcome b) =>
        new(a.Claimed + b.Claimed, a.Escalated + b.Escalated, a.Quarantined + b.Quarantined);
}
