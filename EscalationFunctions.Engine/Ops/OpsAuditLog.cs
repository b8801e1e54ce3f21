using System.Text.Json;
using EscalationFunctions.Engine.Escalation;
using Npgsql;

namespace EscalationFunctions.Engine.Ops;

/// <summary>Writes each ops call to <c>ops_audit</c>: who, what, outcome, and the counts it produced.</summary>
public sealed class OpsAuditLog(NpgsqlDataSource db, WorkerInstance instance)
{
    private const string InsertSql =
        """
        INSERT INTO ops_audit (instance_id, caller, endpoint, outcome, http_status, remote_addr, duration_ms, details)
        VALUES (@instance_id, @caller, @endpoint, @outcome, @http_status, @remote_addr, @duration_ms, @details::jsonb)
        """;

    public async Task RecordAsync(string caller, OpsEndpoint endpoint, OpsResponse response, string? remoteAddress, double durationMs,
        object? details, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(InsertSql);
        cmd.Parameters.AddWithValue("instance_id", instance.Id);
        cmd.Parameters.AddWithValue("caller", caller);
        cmd.Parameters.AddWithValue("endpoint", endpoint.Name());
        cmd.Parameters.AddWithValue("outcome", response.Outcome);
        cmd.Parameters.AddWithValue("http_status", response.Status);
        cmd.Parameters.AddWithValue("remote_addr", (object?)remoteAddress ?? DBNull.Value);
        cmd.Parameters.AddWithValue("duration_ms", durationMs);
        cmd.Parameters.AddWithValue("details", JsonSerializer.Serialize(details ?? new { }, OpsResponse.JsonOptions));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
