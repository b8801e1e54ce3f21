using EscalationFunctions.Engine.Endpoints.Answers;
using EscalationFunctions.Engine.Settings;
using Npgsql;

namespace EscalationFunctions.Engine.Endpoints.Audit;

/// <summary>
/// Writes each call to <c>ops_audit</c>: who, which route, the outcome and what it produced. Callers
/// and remote addresses arrive escaped, so any name can be stored. Failures are thrown: the
/// pipeline decides what a call that cannot be audited gets, and how it is logged.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource db, WorkerInstance instance)
{
    /// <summary>Records a call before it runs; returns the row to <see cref="CompleteAsync"/>.</summary>
    public async Task<long> BeginAsync(string caller, EndpointRoute route, string? remoteAddress, double durationMs, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(AuditSql.Begin);
        AddCall(cmd, caller, route, remoteAddress, durationMs);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task CompleteAsync(long id, string caller, EndpointOutcome outcome, double durationMs, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(AuditSql.Complete);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("caller", caller);
        cmd.Parameters.AddWithValue("duration_ms", durationMs);
        AddOutcome(cmd, outcome);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records a call that changed nothing (a refusal, or a route that only reads) once it is answered.</summary>
    public async Task RecordAsync(string caller, EndpointRoute route, string? remoteAddress, EndpointOutcome outcome, double durationMs, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(AuditSql.Record);
        AddCall(cmd, caller, route, remoteAddress, durationMs);
        AddOutcome(cmd, outcome);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private void AddCall(NpgsqlCommand cmd, string caller, EndpointRoute route, string? remoteAddress, double durationMs)
    {
        cmd.Parameters.AddWithValue("instance_id", instance.Id);
        cmd.Parameters.AddWithValue("caller", caller);
        cmd.Parameters.AddWithValue("endpoint", route.Name);
        cmd.Parameters.AddWithValue("remote_addr", (object?)remoteAddress ?? DBNull.Value);
        cmd.Parameters.AddWithValue("duration_ms", durationMs);
    }

    private static void AddOutcome(NpgsqlCommand cmd, EndpointOutcome outcome)
    {
        cmd.Parameters.AddWithValue("outcome", outcome.Answer.Outcome);
        cmd.Parameters.AddWithValue("http_status", outcome.Answer.Status);
        cmd.Parameters.AddWithValue("details", outcome.AuditDetails is { } details ? AnswerJson.Serialize(details) : "{}");
    }
}
