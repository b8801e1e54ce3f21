using System.Data;
using EscalationFunctions.Engine.Endpoints.Answers;
using EscalationFunctions.Engine.Tick;
using Npgsql;

namespace EscalationFunctions.Engine.Status;

/// <summary>
/// Reads a <see cref="StatusReport"/> in one read-only, repeatable-read transaction, so its counts
/// and lists agree with each other even while ticks run. Reads only; safe against production.
/// </summary>
public sealed class StatusReportReader(NpgsqlDataSource db)
{
    public async Task<StatusReport> ReadAsync(int hours, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hours, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 0);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", conn, tx))
        {
            await readOnly.ExecuteNonQueryAsync(ct);
        }

        var now = await DatabaseClock.NowAsync(conn, ct);
        var open = new StatusList<OpenIncident>(
            await ScalarAsync(conn, tx, StatusReportSql.OpenIncidentCount, ct),
            await ListAsync(conn, tx, StatusReportSql.OpenIncidents, c => c.Parameters.AddWithValue("limit", limit), r => new OpenIncident(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), NullableUtc(r, 5), Utc(r, 6)), ct));

        var escalations = new RecentEscalations(
            hours,
            await ScalarAsync(conn, tx, StatusReportSql.RecentEscalationCount, ct, c => c.Parameters.AddWithValue("hours", hours)),
            await ListAsync(conn, tx, StatusReportSql.RecentEscalations, c =>
                {
                    c.Parameters.AddWithValue("hours", hours);
                    c.Parameters.AddWithValue("limit", limit);
                },
                r => new RecentEscalation(Utc(r, 0), r.GetString(1), r.GetInt32(2), NullableString(r, 3), NullableString(r, 4), NullableString(r, 5)), ct));

        MessageStatus messages;
        await using (var counts = new NpgsqlCommand(StatusReportSql.MessageCounts, conn, tx))
        {
            counts.Parameters.AddWithValue("hours", hours);
            await using var reader = await counts.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            messages = new MessageStatus(reader.GetInt64(0), NullableUtc(reader, 1), reader.GetInt64(2), [], reader.GetInt64(3));
        }
        messages = messages with
        {
            DeadShown = await ListAsync(conn, tx, StatusReportSql.DeadMessages, c => c.Parameters.AddWithValue("limit", limit), r => new DeadMessage(
                Utc(r, 0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt32(3), NullableString(r, 4), r.GetInt32(5), NullableString(r, 6)), ct),
        };

        var quarantined = new StatusList<QuarantinedIncident>(
            await ScalarAsync(conn, tx, StatusReportSql.QuarantinedIncidentCount, ct),
            await ListAsync(conn, tx, StatusReportSql.QuarantinedIncidents, c => c.Parameters.AddWithValue("limit", limit), r => new QuarantinedIncident(
                Utc(r, 0), r.GetString(1), r.GetString(2), r.GetInt32(3), NullableString(r, 4)), ct));

        var instances = await ListAsync(conn, tx, StatusReportSql.InstanceTicks, _ => { },
            r => new InstanceTick(r.GetString(0), Utc(r, 1), NullableString(r, 2), r.IsDBNull(3) ? null : r.GetInt32(3), NullableString(r, 4)), ct);
        var overdue = new StatusList<OverdueIncident>(
            await ScalarAsync(conn, tx, StatusReportSql.OverdueIncidentCount, ct),
            await ListAsync(conn, tx, StatusReportSql.OverdueIncidents, c => c.Parameters.AddWithValue("limit", limit),
                r => new OverdueIncident(r.GetString(0), r.GetString(1), r.GetInt32(2), Utc(r, 3), r.GetString(4)), ct));
        var failing = await ListAsync(conn, tx, StatusReportSql.FailingMessages, c => c.Parameters.AddWithValue("limit", limit), r => new FailingMessage(
            Utc(r, 0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt32(3), NullableString(r, 4), r.GetInt32(5), Utc(r, 6), NullableString(r, 7)), ct);
        var olderInstances = await ScalarAsync(conn, tx, StatusReportSql.OlderInstanceCount, ct);

        await tx.CommitAsync(ct);
        return new StatusReport(now, open, escalations, messages, quarantined, instances)
        {
            Overdue = overdue,
            Failing = failing,
            OlderInstances = olderInstances,
        };
    }

    /// <summary>One incident and its escalations; null when no incident has that key.</summary>
    public async Task<IncidentPage?> ReadIncidentAsync(string incidentKey, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var incident = (await ListAsync(conn, tx, StatusReportSql.Incident, c => c.Parameters.AddWithValue("key", incidentKey), r => new IncidentPage(
            r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), Utc(r, 5), NullableUtc(r, 6), NullableUtc(r, 7),
            NullableUtc(r, 8), NullableUtc(r, 9), []), ct)).SingleOrDefault();
        if (incident is null)
        {
            return null;
        }
        var escalations = await ListAsync(conn, tx, StatusReportSql.IncidentEscalations, c => c.Parameters.AddWithValue("key", incidentKey),
            r => new IncidentPageEscalation(r.GetInt32(0), Utc(r, 1), NullableString(r, 2), NullableString(r, 3)), ct);
        await tx.CommitAsync(ct);
        return incident with { Escalations = escalations };
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct,
        Action<NpgsqlCommand>? parameters = null)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        parameters?.Invoke(cmd);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<IReadOnlyList<T>> ListAsync<T>(NpgsqlConnection conn, NpgsqlTransaction tx, string sql,
        Action<NpgsqlCommand> parameters, Func<NpgsqlDataReader, T> row, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        parameters(cmd);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(row(reader));
        }
        return rows;
    }

    private static DateTimeOffset Utc(NpgsqlDataReader r, int i) => new(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc));

    private static DateTimeOffset? NullableUtc(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : Utc(r, i);

    private static string? NullableString(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
