using EscalationFunctions.Engine.Settings;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Hosting;

/// <summary>What both hosts say as they start: each configuration warning, and the worker's mode in one line.</summary>
public static class StartupLog
{
    public static void Warnings(ILogger logger, StartupConfiguration startup)
    {
        foreach (var warning in startup.Warnings)
        {
            HostingLog.ConfigurationWarning(logger, warning);
        }
    }

    /// <summary>"tick every 60000 ms; escalating 100% of routes, …" (<see cref="WorkerMode"/>).</summary>
    public static string Mode(EscalationSettings settings, TimeProvider time) =>
        $"tick every {settings.Tick.Period.TotalMilliseconds} ms; {WorkerMode.Describe(settings, time.GetUtcNow())}";
}
