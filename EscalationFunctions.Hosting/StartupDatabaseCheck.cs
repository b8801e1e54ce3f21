using System.Net.Sockets;
using EscalationFunctions.Engine.Data.Migrations;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Untrusted;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EscalationFunctions.Hosting;

/// <summary>
/// Applies the migrations before a host starts (its own start then finds nothing to do), so that an
/// unreachable or refusing database is one line naming it and why, instead of the host's logged
/// stack trace. Both hosts call it. The password is never part of the line (nor of Npgsql's messages).
/// </summary>
public static class StartupDatabaseCheck
{
    /// <returns>The line to print, or null when the database is there and migrated.</returns>
    public static async Task<string?> ProblemAsync(IServiceProvider services, EscalationSettings settings, CancellationToken ct = default)
    {
        try
        {
            await services.GetRequiredService<MigrationRunner>().ApplyAsync(ct);
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or InvalidOperationException)
        {
            var cs = new NpgsqlConnectionStringBuilder(settings.Connections.PostgresConnectionString);
            return $"Start-up failed: PostgreSQL at {cs.Host}:{cs.Port} (database '{cs.Database}', user '{cs.Username}', from " +
                   $"{SettingNames.PostgresConnectionString}) could not be used: {UntrustedText.Escape(e.GetBaseException().Message)}. " +
                   "Check that it runs and accepts connections from here (./scripts/run-local.sh starts a local one).";
        }
    }
}
