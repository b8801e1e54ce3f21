using EscalationFunctions.Engine.Data.Migrations;
using Microsoft.Extensions.Hosting;

namespace EscalationFunctions.Engine.Runtime;

/// <summary>
/// Applies pending migrations before anything else starts (it is registered first, and hosted
/// services start in order). If the database cannot be reached the host fails to start.
/// </summary>
public sealed class MigrationStartupService(MigrationRunner runner) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) => await runner.ApplyAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
