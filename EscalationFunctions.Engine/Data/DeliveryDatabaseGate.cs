using Npgsql;

namespace EscalationFunctions.Engine.Data;

/// <summary>
/// How the sender reaches the database: every statement of <c>OutboxStore</c> and
/// <c>WebhookLaneStore</c> goes through at most <see cref="MaxConcurrent"/> connections.
/// Unbounded, a burst of lanes (one per webhook, all posting in the same second) needs a connection
/// each: with 100 webhooks the first round of outcomes waited over a second for ~100 new server
/// connections. A statement takes milliseconds, so a few at a time keep up with every lane posting
/// once a second.
/// <para>
/// The check right before a post (<see cref="RunBeforePostAsync"/>) has connections of its own: it
/// holds up the post itself, and behind a hundred lanes' outcome writes it would stretch every
/// webhook's pace. Everything else (claims, outcomes, leases) happens while lanes wait for their pace.
/// </para>
/// </summary>
public sealed class DeliveryDatabaseGate(NpgsqlDataSource db)
{
    private const int MaxConcurrent = 6;
    private const int MaxConcurrentBeforePost = 10;

    private readonly SemaphoreSlim _gate = new(MaxConcurrent, MaxConcurrent);
    private readonly SemaphoreSlim _beforePost = new(MaxConcurrentBeforePost, MaxConcurrentBeforePost);

    /// <summary>Runs a statement that must complete even while shutting down (an outcome: losing one would repeat or strand a page).</summary>
    public Task ExecuteAsync(string sql, Action<NpgsqlParameterCollection> parameters) =>
        RunAsync(sql, parameters, _ => Task.FromResult(0), CancellationToken.None);

    public Task<T> RunAsync<T>(string sql, Action<NpgsqlParameterCollection> parameters, Func<NpgsqlDataReader, Task<T>> read, CancellationToken ct) =>
        RunGatedAsync(_gate, sql, parameters, read, ct);

    /// <summary>A statement a post waits for: it never queues behind the other statements of the sender.</summary>
    public Task<T> RunBeforePostAsync<T>(string sql, Action<NpgsqlParameterCollection> parameters, Func<NpgsqlDataReader, Task<T>> read, CancellationToken ct) =>
        RunGatedAsync(_beforePost, sql, parameters, read, ct);

    private async Task<T> RunGatedAsync<T>(SemaphoreSlim gate, string sql, Action<NpgsqlParameterCollection> parameters, Func<NpgsqlDataReader, Task<T>> read,
        CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            await using var cmd = db.CreateCommand(sql);
            parameters(cmd.Parameters);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            return await read(reader);
        }
        finally
        {
            gate.Release();
        }
    }
}
