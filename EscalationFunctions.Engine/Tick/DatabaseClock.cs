using Npgsql;

namespace EscalationFunctions.Engine.Tick;

/// <summary>The database's clock: the one time every instance agrees on (gates, status).</summary>
public static class DatabaseClock
{
    public static async Task<DateTimeOffset> NowAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(TickSql.DatabaseNow, conn);
        var now = (DateTime)(await cmd.ExecuteScalarAsync(ct))!;
        return new DateTimeOffset(now, TimeSpan.Zero);
    }
}
