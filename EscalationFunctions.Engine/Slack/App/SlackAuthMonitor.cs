using EscalationFunctions.Engine.Data;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.App;

/// <summary>
/// Whether Slack refuses the app's token (reference §10.3), kept in <c>slack_app_state</c> for every
/// instance: the failure is logged once when it starts (by the instance that saw it first) and once
/// when it ends, whatever the number of channels and instances, and health shows it meanwhile.
/// </summary>
public sealed class SlackAuthMonitor(DeliveryDatabaseGate db, TimeProvider time, ILogger<SlackAuthMonitor> logger)
{
    /// <summary>How often a process whose posts go through checks whether another instance recorded a failure that has ended.</summary>
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(15);

    private volatile bool _failingSeen = true; // unknown at start: the first success checks
    private long _lastCheck;

    public async Task FailedAsync(string error)
    {
        _failingSeen = true;
        var started = await db.RunAsync(SlackMessageSql.AuthFailing, p => p.AddWithValue("error", error), async r => await r.ReadAsync(), CancellationToken.None);
        if (started)
        {
            SlackAppLog.TokenRefused(logger, error);
        }
    }

    public async Task SucceededAsync()
    {
        if (!_failingSeen && time.GetElapsedTime(Interlocked.Read(ref _lastCheck)) < RecheckEvery)
        {
            return;
        }
        Interlocked.Exchange(ref _lastCheck, time.GetTimestamp());
        _failingSeen = false;
        var failedFor = await db.RunAsync(SlackMessageSql.AuthWorks, _ => { }, async r => await r.ReadAsync() ? r.GetDouble(0) : (double?)null,
            CancellationToken.None);
        if (failedFor is { } seconds)
        {
            SlackAppLog.TokenAcceptedAgain(logger, seconds);
        }
    }
}
