using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Hosting;

/// <summary>The Functions app's start-up lines (<see cref="StartupLog"/>), as the plain server writes them.</summary>
public sealed class StartupLogService(StartupConfiguration startup, TimeProvider time, ILogger<StartupLogService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        StartupLog.Warnings(logger, startup);
        HostingLog.WorkerStarted(logger, StartupLog.Mode(startup.Settings, time));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
