using EscalationFunctions.Engine.Settings;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Tick;

/// <summary>
/// The tick's gates (reference §4.4), checked in the spec's order, and the log line of the one that
/// closed: a paused or disabled worker logs once, not every tick.
/// </summary>
public sealed class TickGates(EscalationSettings settings, ILogger<TickGates> logger)
{
    /// <summary>The last closed gate logged ("" while ticks run).</summary>
    private string _loggedGate = "";

    /// <summary>The gates as the settings give them now; a tick reads them once.</summary>
    public GateSettings Current => settings.Gates;

    /// <summary>The first gate closed: nothing is read or written; logged once.</summary>
    public void WorkerDisabled()
    {
        if (GateChanged($"{SettingNames.WorkerEnabled}=false"))
        {
            TickLog.WorkerDisabledOnce(logger, SettingNames.WorkerEnabled);
        }
    }

    /// <summary>
    /// The gates after the first, at the database's time <paramref name="dbNow"/>: the result of the gate that
    /// closes (logged once), or null when they are all open (the next one that closes is logged again).
    /// </summary>
    public TickResult? Closed(GateSettings gates, DateTimeOffset dbNow, TickResult result)
    {
        if (gates.Pause?.PausedUntil(dbNow) is { } pausedUntil)
        {
            if (GateChanged($"paused until {pausedUntil:O}"))
            {
                TickLog.PausedOnce(logger, pausedUntil, SettingNames.PauseCron, gates.Pause.CronText);
            }
            return result with { Outcome = TickOutcome.Paused, PausedUntil = pausedUntil };
        }
        if (!gates.V1Enabled)
        {
            if (GateChanged($"{SettingNames.V1}=false"))
            {
                TickLog.V1OffOnce(logger, SettingNames.V1);
            }
            return result with { Outcome = TickOutcome.V1Off };
        }
        GateChanged("");
        return null;
    }

    /// <summary>True when the gate state differs from the last one logged (thread-safe: ticks may run at once).</summary>
    private bool GateChanged(string state) => Interlocked.Exchange(ref _loggedGate, state) != state;
}
