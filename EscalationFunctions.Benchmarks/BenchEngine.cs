using System.Collections.Concurrent;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Benchmarks;

/// <summary>
/// The engine in-process (<see cref="InProcessEngine"/>, wired exactly as the hosts wire it) with the
/// benchmark's settings and logging, and the warm-up that puts it in a running worker's state. Only
/// warnings and errors are logged (to stderr), so logging costs nothing inside the timed work, and
/// metrics are summed without keeping values, so the allocations reported per tick are the engine's own.
/// </summary>
public static class BenchEngine
{
    /// <summary>Set once from the command line (<c>--batch-size</c>); null keeps the engine's default.</summary>
    public static int? BatchSize { get; set; }

    /// <summary>
    /// An engine with settings as a deployment sets them: only the connection string, the base URL
    /// and Slack's destinations are given; everything else (batch size, Slack pacing, timeouts)
    /// keeps its default.
    /// </summary>
    public static InProcessEngine Create(string connectionString, IReadOnlyDictionary<string, string>? extra = null, string instanceId = "benchmark") =>
        InProcessEngine.Create(SettingsEnvironment(connectionString, extra), instanceId: instanceId, logLevel: LogLevel.Warning, keepMetricValues: false,
            logging: b => b
                .AddSimpleConsole(o => o.SingleLine = true)
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));

    /// <summary>The settings the engine runs with (parsed as the hosts parse them).</summary>
    public static EscalationSettings ReadSettings(string connectionString, IReadOnlyDictionary<string, string>? extra = null) =>
        TestSettings.Read(SettingsEnvironment(connectionString, extra));

    private static Dictionary<string, string> SettingsEnvironment(string connectionString, IReadOnlyDictionary<string, string>? extra)
    {
        var overrides = new Dictionary<string, string>();
        if (BatchSize is { } batchSize)
        {
            overrides[SettingNames.TickBatchSize] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            overrides[name] = value;
        }
        return TestSettings.Deployment(connectionString, overrides);
    }

    /// <summary>
    /// Opens <paramref name="count"/> pooled connections at once and gives them back, so the timed
    /// tick does not pay for connecting (a running worker's pool is warm). A tick uses two. With
    /// <paramref name="prewarm"/>, the database is read into shared buffers (<c>pg_prewarm</c>) and
    /// then every page of it is read through each connection (<see cref="TouchSql"/>): the state of a
    /// worker whose long-lived connections have been ticking every minute against a database that
    /// fits in the buffer cache.
    /// </summary>
    public static async Task WarmPoolAsync(this InProcessEngine engine, int count = 2, bool prewarm = false)
    {
        var connections = new List<NpgsqlConnection>();
        for (var i = 0; i < count; i++)
        {
            connections.Add(await engine.DataSource.OpenConnectionAsync());
        }
        foreach (var conn in connections)
        {
            var sql = !prewarm ? "SELECT 1" : conn == connections[0] ? PrewarmSql + ";" + TouchSql : TouchSql;
            await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
            await cmd.ExecuteNonQueryAsync();
        }
        foreach (var conn in connections)
        {
            await conn.DisposeAsync();
        }
    }

    /// <summary>Reads every table and index of the current database into shared buffers.</summary>
    public const string PrewarmSql =
        """
        SELECT sum(pg_prewarm(c.oid))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 't')
        """;

    /// <summary>
    /// Reads every page of every table and B-tree index through this connection. Pages already in
    /// shared buffers are not enough: a PostgreSQL server process maps each page of the shared
    /// buffer cache into its address space the first time it touches the page's contents, and on
    /// this virtual machine each such page fault costs microseconds. A worker's long-lived
    /// connections have touched their hot pages long ago; a fresh server process has not, and
    /// without this its first random inserts into a large index (the events' unique hash) cost
    /// about 45 µs each instead of about 13 (docs/performance.md). <c>pg_prewarm</c> reads a page's
    /// contents only when the page was not yet in shared buffers, so it maps them for the first
    /// connection alone; <c>bt_index_check</c> (amcheck) reads every page of an index, and a
    /// whole-row expression every tuple of a table.
    /// </summary>
    public const string TouchSql =
        """
        DO $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT c.oid, c.relkind, c.relname
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public'
                       AND (c.relkind = 'r' OR (c.relkind = 'i' AND c.relam = (SELECT oid FROM pg_am WHERE amname = 'btree')))
            LOOP
                IF r.relkind = 'i' THEN
                    PERFORM bt_index_check(r.oid);
                ELSE
                    EXECUTE format('SELECT sum(length(t::text)) FROM %I t', r.relname);
                END IF;
            END LOOP;
        END
        $$
        """;
}
