namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>The claim's look-ahead per route (<see cref="OutboxClaimSql.ClaimNext"/>).</summary>
public static class ClaimPeek
{
    /// <summary>
    /// How many waiting messages a lane counts on each of its routes (open ones only, reference §5.6)
    /// before taking the next ones, to tell a storm (more than <paramref name="digestThreshold"/>)
    /// from a trickle. Capped: a threshold beyond the
    /// cap is a request for single messages, and then counting up to the cap is enough to see there is no storm.
    /// </summary>
    public static int For(int digestThreshold, int digestMax) =>
        Math.Max(digestMax, (int)Math.Min((long)digestThreshold + 1, Max));

    public const int Max = 10_001;
}
