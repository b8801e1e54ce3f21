using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// What a lane does with the rows it claimed before their post has an answer: count the attempt as the post
/// starts, set aside what no longer pages right before it (reference §5.6), give them back or dead-letter
/// them when they are not posted. Recorded even while shutting down, like every outcome.
/// </summary>
public sealed class ClaimedRows(OutboxStore store, OutboxOutcomes outcomes)
{
    /// <inheritdoc cref="OutboxOutcomes.StartPostsAsync"/>
    public Task<IReadOnlyList<OutboxNotification>> StartPostsAsync(IReadOnlyList<OutboxNotification> rows) => outcomes.StartPostsAsync(rows);

    /// <inheritdoc cref="OutboxStore.SupersedeClosedAsync"/>
    public Task<IReadOnlyList<OutboxNotification>> SupersedeClosedAsync(IReadOnlyList<OutboxNotification> rows) => store.SupersedeClosedAsync(rows);

    /// <param name="giveBackAttempt">True when the post started (its attempt was counted) but was not made.</param>
    public Task GiveBackAsync(IReadOnlyList<OutboxNotification> rows, bool giveBackAttempt) =>
        outcomes.ReleaseAsync(rows.Select(r => r.Id).ToArray(), null, giveBackAttempt);

    public Task MarkDeadAsync(IReadOnlyList<OutboxNotification> rows, string reason) => outcomes.MarkDeadAsync(rows.Select(r => r.Id).ToArray(), reason);
}
