using Npgsql;

namespace EscalationFunctions.Engine.Status;

/// <summary>Reads <see cref="WorkerStatus"/> in one round trip (<see cref="WorkerStatusSql.Read"/>).</summary>
public sealed class WorkerStatusReader(NpgsqlDataSource db)
{
    public async Task<WorkerStatus> ReadAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(WorkerStatusSql.Read);
        cmd.Parameters.AddWithValue("superseded_hours", WorkerStatusSql.SupersededWindowHours);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new WorkerStatus(
            Utc(reader.GetDateTime(0)),
            reader.IsDBNull(1) ? null : Utc(reader.GetDateTime(1)),
            reader.GetInt64(2),
            reader.GetInt64(3),
            reader.IsDBNull(4) ? null : Utc(reader.GetDateTime(4)),
            reader.GetInt64(5),
            reader.GetInt64(6),
            reader.GetInt64(7),
            reader.GetBoolean(8));
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
