using System.Diagnostics;
using EscalationFunctions.Engine.Data.Migrations;
using EscalationFunctions.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace EscalationFunctions.Benchmarks;

/// <summary>
/// Databases for the benchmarks on the server <see cref="PostgresCluster"/> gives: a seeded template
/// per scenario, and a fresh copy of it (<c>CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY</c>)
/// for every repetition, so every timed tick starts from the same rows, pages and statistics.
/// </summary>
public sealed class BenchDatabases(string admin)
{
    private readonly List<string> _created = [];

    public string Admin => admin;

    public string ConnectionString(string database, int maxPoolSize = 100) =>
        new NpgsqlConnectionStringBuilder(admin) { Database = database, MaxPoolSize = maxPoolSize, ApplicationName = "esc-bench" }.ConnectionString;

    /// <summary>An empty database with the engine's migrations applied.</summary>
    public async Task<string> CreateMigratedAsync(string name)
    {
        await AdminAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        await AdminAsync($"CREATE DATABASE \"{name}\"");
        _created.Add(name);
        await using var source = NpgsqlDataSource.Create(ConnectionString(name, 2));
        await new MigrationRunner(source, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        return name;
    }

    /// <summary>A file copy of <paramref name="template"/>: same pages, same hint bits, same statistics.</summary>
    public async Task<string> CopyAsync(string template, string name)
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        await AdminAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" STRATEGY FILE_COPY");
        _created.Add(name);
        return name;
    }

    /// <summary>Forgets <paramref name="name"/> without dropping it.</summary>
    public void Keep(string name) => _created.Remove(name);

    public async Task DropAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        _created.Remove(name);
    }

    public async Task DropAllAsync()
    {
        foreach (var name in _created.ToArray())
        {
            await DropAsync(name);
        }
    }

    /// <summary>Runs SQL in <paramref name="database"/> on a connection of its own; returns the elapsed time.</summary>
    public async Task<TimeSpan> ExecuteAsync(string database, string sql, params (string Name, object Value)[] parameters)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        foreach (var (n, v) in parameters)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        await cmd.ExecuteNonQueryAsync();
        return stopwatch.Elapsed;
    }

    public async Task<T> ScalarAsync<T>(string database, string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        foreach (var (n, v) in parameters)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<List<string>> LinesAsync(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await using var reader = await cmd.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetValue(0)?.ToString() ?? "");
        }
        return lines;
    }

    private async Task AdminAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync();
    }
}
