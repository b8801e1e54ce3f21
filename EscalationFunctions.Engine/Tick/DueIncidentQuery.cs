using EscalationFunctions.Engine.Settings;
using Npgsql;

namespace EscalationFunctions.Engine.Tick;

/// <summary>
/// What makes an incident due (the SLA's max level and snooze, the canary), as parameters of every
/// statement over due incidents, and the count of due incidents the canary leaves out.
/// </summary>
public sealed class DueIncidentQuery(EscalationSettings settings)
{
    public int BatchSize => settings.Tick.BatchSize;

    public void AddParameters(NpgsqlCommand cmd)
    {
        cmd.Parameters.AddWithValue("max_level", settings.Sla.MaxLevel);
        cmd.Parameters.AddWithValue("snooze_min", settings.Sla.SnoozeMinutes);
        cmd.Parameters.AddWithValue("canary_pct", settings.Gates.CanaryPercent);
    }

    /// <summary>Due incidents the canary leaves out; none (and no query) when every route is in it.</summary>
    public async Task<int> CountOutsideCanaryAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        if (settings.Gates.CanaryPercent >= 100)
        {
            return 0;
        }
        await using var cmd = new NpgsqlCommand(TickSql.CountOutsideCanary, conn);
        AddParameters(cmd);
        return (int)(long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
