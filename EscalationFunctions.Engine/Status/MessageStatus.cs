namespace EscalationFunctions.Engine.Status;

/// <param name="Superseded">Messages set aside in the report's last hours, not posted because their incident was acknowledged or resolved first (reference §5.6).</param>
public sealed record MessageStatus(long Pending, DateTimeOffset? OldestPendingAt, long Dead, IReadOnlyList<DeadMessage> DeadShown, long Superseded);
