using EscalationFunctions.Engine.Configuration;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// How long a lane or a message is held without news from its holder (spec §5.1), and how often the
/// holder renews it. Long enough for a whole post (<c>SLACK_TIMEOUT_MS</c>) twice over, so that one
/// missed renewal on a busy machine loses nothing; renewed three times per lease while work goes on,
/// so a slow webhook never outlives its lease. A holder that dies is replaced once the lease ends.
/// </summary>
public sealed record DeliveryLease(TimeSpan Length)
{
    private static readonly TimeSpan Floor = TimeSpan.FromSeconds(15);

    public static DeliveryLease For(SlackSettings slack) => new(Max(Floor, (2 * slack.Timeout) + TimeSpan.FromSeconds(5)));

    public TimeSpan RenewEvery => Length / 3;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
