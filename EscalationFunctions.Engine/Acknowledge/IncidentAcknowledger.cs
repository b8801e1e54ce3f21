using Npgsql;

namespace EscalationFunctions.Engine.Acknowledge;

/// <summary>
/// Acknowledges incidents: <c>acknowledged_at = now()</c> and <c>acknowledged_by</c> when still
/// unacknowledged; idempotent (a second call reports who acknowledged first and changes nothing).
/// </summary>
public sealed class IncidentAcknowledger(NpgsqlDataSource db)
{
    /// <summary>Who acknowledged from Slack: <c>slack:{user.id}</c> (reference §9).</summary>
    public const string SlackPrefix = "slack:";

    /// <returns>The acknowledgement, or null when no incident has this key.</returns>
    public async Task<Acknowledgement?> AcknowledgeAsync(string incidentKey, string acknowledgedBy, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await AcknowledgeAsync(conn, null, incidentKey, acknowledgedBy, ct);
    }

    /// <summary>Within the caller's transaction, so that what follows from the acknowledgement commits with it.</summary>
    public async Task<Acknowledgement?> AcknowledgeAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string incidentKey, string acknowledgedBy,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(AcknowledgeSql.Acknowledge, conn, tx);
        cmd.Parameters.AddWithValue("incident_key", incidentKey);
        cmd.Parameters.AddWithValue("acknowledged_by", acknowledgedBy);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        return new Acknowledgement(
            IncidentKey: reader.GetString(0),
            AcknowledgedAt: reader.GetFieldValue<DateTimeOffset>(1),
            AcknowledgedBy: reader.IsDBNull(2) ? null : reader.GetString(2),
            AlreadyAcknowledged: reader.GetBoolean(3),
            Route: reader.GetString(4),
            Severity: reader.GetString(5),
            Title: reader.GetString(6),
            Level: reader.GetInt32(7));
    }
}
