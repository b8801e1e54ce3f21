using EscalationFunctions.Engine.Data.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace EscalationFunctions.Testing;

/// <summary>
/// A fresh database with the schema applied, dropped on dispose. One per test class (or benchmark
/// run); <see cref="ResetAsync"/> empties it between tests of one class.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private TestDatabase(string admin, string name, string connectionString)
    {
        _admin = admin;
        Name = name;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string Name { get; }
    public string ConnectionString { get; }
    public NpgsqlDataSource DataSource { get; }

    public static async Task<TestDatabase> CreateAsync(string purpose = "test", bool migrate = true)
    {
        var admin = await PostgresCluster.AdminConnectionStringAsync();
        var label = new string(purpose.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray());
        var name = $"esc_{label}_{Guid.NewGuid():N}"[..Math.Min(40, 5 + label.Length + 32)];
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 200 }.ConnectionString;
        var db = new TestDatabase(admin, name, connectionString);
        if (migrate)
        {
            await new MigrationRunner(db.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        }
        return db;
    }

    /// <summary>Empties every table the engine writes and restores the default SLA row.</summary>
    public Task ResetAsync() => ExecuteAsync(
        """
        TRUNCATE incidents, escalation_events, notification_outbox, escalation_ticks,
                 ops_audit, ops_signatures_seen, ops_rate_limit_hits, slack_webhook_lanes, slack_messages, slack_message_incidents RESTART IDENTITY;
        UPDATE slack_app_state SET auth_failing_since = NULL, auth_error = NULL;
        UPDATE escalation_sla SET crit_ack_min = 5, warn_ack_min = 15, snooze_min = 30, max_level = 7,
                                  version = 1, recalculated_version = 1 WHERE id = 1;
        """);

    /// <summary>Every row of every table the engine writes, as text, sorted: equal snapshots mean nothing was written.</summary>
    public Task<List<string>> SnapshotAsync() => QueryAsync(
        """
        SELECT 'i ' || i::text FROM incidents i
        UNION ALL SELECT 'e ' || e::text FROM escalation_events e
        UNION ALL SELECT 'o ' || o::text FROM notification_outbox o
        UNION ALL SELECT 't ' || t::text FROM escalation_ticks t
        UNION ALL SELECT 's ' || s::text FROM escalation_sla s
        UNION ALL SELECT 'l ' || l::text FROM slack_webhook_lanes l
        UNION ALL SELECT 'm ' || m::text FROM slack_messages m
        UNION ALL SELECT 'n ' || n::text FROM slack_message_incidents n
        UNION ALL SELECT 'a ' || a::text FROM slack_app_state a
        ORDER BY 1
        """, r => r.GetString(0));

    public async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var (n, v) in parameters)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        return await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var (n, v) in parameters)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T));
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, params (string Name, object Value)[] parameters)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var (n, v) in parameters)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        var rows = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(map(reader));
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await using var conn = new NpgsqlConnection(_admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
