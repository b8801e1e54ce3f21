using Npgsql;

namespace EscalationFunctions.Engine.Security;

/// <summary>
/// At most N calls per minute per caller per endpoint, counted across every instance in the
/// database (a sliding window, see <c>ops_rate_limit_take</c>).
/// </summary>
public sealed class OpsRateLimiter(NpgsqlDataSource db)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Null when the call is allowed (and now counted); else how long until it would be.</summary>
    public async Task<TimeSpan?> TryTakeAsync(string caller, string endpoint, int limitPerMinute, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(SecuritySql.TakeRateLimit);
        cmd.Parameters.AddWithValue("caller", caller);
        cmd.Parameters.AddWithValue("endpoint", endpoint);
        cmd.Parameters.AddWithValue("limit", limitPerMinute);
        cmd.Parameters.AddWithValue("window_seconds", Window.TotalSeconds);
        var wait = (double)(await cmd.ExecuteScalarAsync(ct))!;
        return wait <= 0 ? null : TimeSpan.FromSeconds(wait);
    }
}
