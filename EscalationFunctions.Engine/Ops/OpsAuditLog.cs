using System.Text.Json;
using EscalationFunctions.Engine.Escalation;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Ops;

/// <summary>
/// Writes each ops call to <c>ops_audit</c>: who, what, outcome, and the counts it produced. The
/// caller and remote address arrive escaped (<see cref="Security.UntrustedText"/>), so any name can be stored.
/// </summary>
public sealed class OpsAuditLog(NpgsqlDataSource db, WorkerInstance instance, ILogger<OpsAuditLog> logger)
{
    /// <summary>The audit row of a call about to change something; null when it cannot be written (the caller then refuses the call).</summary>
    public async Task<long?> TryBeginAsync(string caller, OpsEndpoint endpoint, string? remoteAddress, double durationMs, CancellationToken ct)
    {
        try
        {
            return await BeginAsync(caller, endpoint, remoteAddress, durationMs, ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            logger.LogError(e, "Ops {Endpoint} by {Caller}: could not write the audit row, so the call is refused", endpoint.Name(), caller);
            return null;
        }
    }

    /// <summary>Completes the row <see cref="TryBeginAsync"/> wrote, or records a call that changed nothing; a failure is logged, never thrown.</summary>
    public async Task FinishAsync(long? auditId, string caller, OpsEndpoint endpoint, string? remoteAddress, OpsResponse response, double durationMs,
        object? details)
    {
        try
        {
            if (auditId is { } id)
            {
                await CompleteAsync(id, response, durationMs, details, CancellationToken.None);
            }
            else
            {
                await RecordAsync(caller, endpoint, response, remoteAddress, durationMs, details, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            logger.LogError(e, "Ops {Endpoint} by {Caller}: could not write the audit row", endpoint.Name(), caller);
        }
    }

    /// <summary>Records a call that changed nothing (a refusal, or health) once it is answered.</summary>
    public async Task RecordAsync(string caller, OpsEndpoint endpoint, OpsResponse response, string? remoteAddress, double durationMs,
        object? details, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(OpsAuditSql.Record);
        AddCall(cmd, caller, endpoint, remoteAddress, durationMs);
        AddOutcome(cmd, response, details);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records a call before it runs; returns the row to <see cref="CompleteAsync"/>. Throws when it cannot.</summary>
    public async Task<long> BeginAsync(string caller, OpsEndpoint endpoint, string? remoteAddress, double durationMs, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(OpsAuditSql.Begin);
        AddCall(cmd, caller, endpoint, remoteAddress, durationMs);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task CompleteAsync(long id, OpsResponse response, double durationMs, object? details, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(OpsAuditSql.Complete);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("duration_ms", durationMs);
        AddOutcome(cmd, response, details);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private void AddCall(NpgsqlCommand cmd, string caller, OpsEndpoint endpoint, string? remoteAddress, double durationMs)
    {
        cmd.Parameters.AddWithValue("instance_id", instance.Id);
        cmd.Parameters.AddWithValue("caller", caller);
        cmd.Parameters.AddWithValue("endpoint", endpoint.Name());
        cmd.Parameters.AddWithValue("remote_addr", (object?)remoteAddress ?? DBNull.Value);
        cmd.Parameters.AddWithValue("duration_ms", durationMs);
    }

    private static void AddOutcome(NpgsqlCommand cmd, OpsResponse response, object? details)
    {
        cmd.Parameters.AddWithValue("outcome", response.Outcome);
        cmd.Parameters.AddWithValue("http_status", response.Status);
        cmd.Parameters.AddWithValue("details", JsonSerializer.Serialize(details ?? new { }, OpsResponse.JsonOptions));
    }
}
