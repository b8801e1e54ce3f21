using Npgsql;

namespace EscalationFunctions.Engine.Escalation;

/// <summary>
/// Reads <see cref="WorkerStatus"/> in one round trip. Every part is served by an index or a tiny
/// table (escalation_ticks has a row per instance), so health checks never scan incidents.
/// </summary>
public sealed class WorkerStatusReader(NpgsqlDataSource db)
{
    internal const string Sql =
        """
        SELECT now(),
               (SELECT max(last_completed_at) FROM escalation_ticks),
               (SELECT count(*) FROM notification_outbox WHERE status = 'pending'),
               (SELECT count(*) FROM notification_outbox WHERE status = 'dead'),
               (SELECT min(created_at) FROM notification_outbox WHERE status = 'pending'),
               (SELECT count(*) FROM incidents
                WHERE acknowledged_at IS NULL AND resolved_at IS NULL AND escalation_level >= 5)
        """;

    public async Task<WorkerStatus> ReadAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(Sql);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new WorkerStatus(
            Utc(reader.GetDateTime(0)),
            reader.IsDBNull(1) ? null : Utc(reader.GetDateTime(1)),
            reader.GetInt64(2),
            reader.GetInt64(3),
            reader.IsDBNull(4) ? null : Utc(reader.GetDateTime(4)),
            reader.GetInt64(5));
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
