using Npgsql;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// How the sender reaches the database: every statement of <see cref="OutboxStore"/> and
/// <see cref="WebhookLaneStore"/> goes through at most <see cref="MaxConcurrent"/> connections.
/// Unbounded, a burst of lanes (one per webhook, all posting in the same second) needs a connection
/// each: with 100 webhooks the first round of outcomes waited over a second for ~100 new server
/// connections. A statement takes milliseconds, so a few at a time keep up with every lane posting
/// once a second.
/// </summary>
public sealed class DeliveryConnections(NpgsqlDataSource db)
{
    private const int MaxConcurrent = 6;

    private readonly SemaphoreSlim _gate = new(MaxConcurrent, MaxConcurrent);

    /// <summary>Runs a statement that must complete even while shutting down (an outcome: losing one would repeat or strand a page).</summary>
    public Task ExecuteAsync(string sql, Action<NpgsqlParameterCollection> parameters) =>
        RunAsync(sql, parameters, _ => Task.FromResult(0), CancellationToken.None);

    public async Task<T> RunAsync<T>(string sql, Action<NpgsqlParameterCollection> parameters, Func<NpgsqlDataReader, Task<T>> read, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var cmd = db.CreateCommand(sql);
            parameters(cmd.Parameters);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            return await read(reader);
        }
        finally
        {
            _gate.Release();
        }
    }
}
