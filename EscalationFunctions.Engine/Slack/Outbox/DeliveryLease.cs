namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>
/// How long a lane or a message is held without news from its holder (reference §5.1), and how often the
/// holder renews it. Short, so that when a holder dies (kill -9, a frozen instance) another instance
/// goes on posting to its webhook within 10 s: the lease, plus at most one planning pass
/// (<c>NotificationSenderService.PollInterval</c>). A post that takes longer than the lease (up to
/// <c>SLACK_TIMEOUT_MS</c>) is covered by the renewals, four per lease, so a holder stalled for a
/// few seconds on a busy machine still keeps what it holds.
/// </summary>
public sealed record DeliveryLease(TimeSpan Length)
{
    public static readonly DeliveryLease Default = new(TimeSpan.FromSeconds(6));

    public TimeSpan RenewEvery => Length / 4;
}
