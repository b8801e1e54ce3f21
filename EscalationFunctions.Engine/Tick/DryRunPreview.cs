using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Tick;

/// <summary>A tick under <c>ESC_DRY_RUN=true</c>: what a real tick would escalate now, with nothing written.</summary>
public sealed class DryRunPreview(DueIncidentQuery due, ILogger<DryRunPreview> logger)
{
    private const int SampleSize = 50;

    public async Task<TickResult> PreviewAsync(NpgsqlConnection conn, TickResult result, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(TickSql.Preview, conn);
        due.AddParameters(cmd);
        cmd.Parameters.AddWithValue("sample_size", SampleSize);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var wouldEscalate = (int)reader.GetInt64(0);
        var wouldSkip = (int)reader.GetInt64(1);
        var keys = reader.GetFieldValue<string[]>(2);
        await reader.DisposeAsync();

        var deferred = await due.CountOutsideCanaryAsync(conn, ct);
        if (wouldEscalate > 0 || wouldSkip > 0 || deferred > 0)
        {
            TickLog.DryRun(logger, wouldEscalate, wouldSkip, deferred);
        }
        return result with
        {
            Outcome = TickOutcome.DryRun,
            WouldEscalate = wouldEscalate,
            WouldEscalateKeys = keys,
            SkippedIdempotent = wouldSkip,
            DeferredByCanary = deferred,
        };
    }
}
