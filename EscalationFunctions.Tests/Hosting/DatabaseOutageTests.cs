using System.Globalization;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Scripts;
using EscalationFunctions.Tests.Support;
using Npgsql;

namespace EscalationFunctions.Tests.Hosting;

/// <summary>
/// The plain server while its database is down: a PostgreSQL cluster of its own is stopped under
/// the running server and started again. The tick loop backs off, warns once and says when it recovered;
/// the Slack sender's loop backs off too.
/// </summary>
[Lane(TestLane.Process)]
public sealed partial class DatabaseOutageTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("esc-outage-");

    public Task InitializeAsync()
    {
        // The cluster runs as `postgres` when the tests run as root: it must reach this folder.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_dir.FullName, (UnixFileMode)0b111_101_101);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await PostgresAsync("stop");
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task A_database_outage_is_one_warning_a_backoff_and_one_line_when_it_recovers()
    {
        var connectionString = (await PostgresAsync("start")).Trim() + ";Timeout=3";
        await using var server = await ServerProcess.StartAsync(TestSettings.Deployment(connectionString, new Dictionary<string, string>
        {
            [SettingNames.TickMs] = "300",
            // The retries themselves, with their count, at Debug for this category only.
            ["Logging__LogLevel__EscalationFunctions.Server.TickTimerService"] = "Debug",
        }));
        await Eventually.TrueAsync(async () => await TicksAsync(connectionString) > 0, TimeSpan.FromSeconds(60), "a first tick");

        await PostgresAsync("stop");
        await Eventually.TrueAsync(() => Task.FromResult(Failures(server.Output).Count >= 5), TimeSpan.FromSeconds(120),
            "five failed ticks in a row");
        await PostgresAsync("start");
        await Eventually.TrueAsync(() => Task.FromResult(server.Output.Contains("Tick recovered after", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(90), "the recovery line");

        var tickLines = server.Output.Split('\n').Where(l => l.Contains("EscalationFunctions.Server.TickTimerService", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(tickLines, l => l.Contains("warn:", StringComparison.Ordinal));
        Assert.Contains("Tick failed: ", warning);
        Assert.DoesNotContain("   at ", warning);
        Assert.DoesNotContain(tickLines, l => l.Contains("fail:", StringComparison.Ordinal));
        Assert.Single(tickLines, l => l.Contains("info:", StringComparison.Ordinal) && l.Contains("Tick recovered after", StringComparison.Ordinal));

        // Above Debug (which this test turns on for the tick's retries), nothing writes a stack trace
        // or an error line during the outage: the Slack sender backs off and warns once too.
        var shown = server.Output.Split('\n').Where(l => !l.Contains(" dbug: ", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(shown, l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal));
        Assert.True(shown.Count(l => l.Contains("Slack sender failed: ", StringComparison.Ordinal)) <= 1, "the Slack sender warns at most once per outage");

        // Waits between failures grow from the period (300 ms) by doubling: 300, 600, 1200, 2400 ms.
        // Lower bounds only: a loaded machine can make them longer, never shorter.
        var failures = Failures(server.Output);
        for (var n = 1; n < 4; n++)
        {
            Assert.True(failures[n] - failures[n - 1] >= TimeSpan.FromMilliseconds(300 * Math.Pow(2, n - 1) - 20),
                $"wait after failure {n}: {(failures[n] - failures[n - 1]).TotalMilliseconds} ms");
        }
    }

    /// <summary>
    /// Reference §6.1: ops calls during a database outage each get a JSON 503, and the log says so once
    /// when it starts (one error, at most one stack trace) and once when it ends, not once per call.
    /// </summary>
    [Fact]
    public async Task Under_ops_traffic_a_database_outage_is_one_line_when_it_starts_and_one_when_it_ends()
    {
        var connectionString = (await PostgresAsync("start")).Trim() + ";Timeout=3";
        await using var server = await ServerProcess.StartAsync(TestSettings.Deployment(connectionString, new Dictionary<string, string>
        {
            [SettingNames.OpsHmacSecret] = OpsCall.Secret,
            [SettingNames.OpsTrustPrincipalHeader] = "true",
            [SettingNames.TickMs] = "86400000", // no timer ticks: only the calls below touch the database
        }));
        using var client = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(200, (await OpsCall.SendAsync(client, new HttpRequestMessage(HttpMethod.Get, "/ops/escalation/health"))).Status);

        await PostgresAsync("stop");
        var during = new List<(int Status, string? Error)>();
        for (var i = 0; i < 10; i++)
        {
            var health = await OpsCall.SendAsync(client, new HttpRequestMessage(HttpMethod.Get, "/ops/escalation/health"));
            var tick = await OpsCall.SendAsync(client, OpsCall.Signed("/ops/escalation/tick"));
            during.Add((health.Status, health.Error));
            during.Add((tick.Status, tick.Error));
        }
        await PostgresAsync("start");
        await Eventually.TrueAsync(async () => (await OpsCall.SendAsync(client, new HttpRequestMessage(HttpMethod.Get, "/ops/escalation/health"))).Status == 200,
            TimeSpan.FromSeconds(60), "health answers again");
        await Eventually.TrueAsync(() => Task.FromResult(server.Output.Contains("The database is available again", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the line that says the outage ended");

        Assert.All(during, answer => Assert.Equal((503, "database_unavailable"), answer));
        var lines = server.Output.Split('\n');
        var started = Assert.Single(lines, l => l.Contains("The database is unavailable", StringComparison.Ordinal));
        Assert.Contains("fail:", started);
        var ended = Assert.Single(lines, l => l.Contains("The database is available again", StringComparison.Ordinal));
        Assert.Matches(@"after \d+ s; \d+ call\(s\) failed meanwhile", ended);
        // The calls themselves add no line above Debug, and the only stack trace is the one under the first line.
        Assert.DoesNotContain(lines, l => l.Contains("EscalationFunctions.Engine.Endpoints", StringComparison.Ordinal) &&
                                          (l.Contains("warn:", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal)) &&
                                          !l.Contains("DatabaseOutageLog", StringComparison.Ordinal));
        // The console writes each entry on one line, an exception's stack trace included: only the first line carries one.
        Assert.Equal([started], lines.Where(l => l.Contains("   at ", StringComparison.Ordinal)));
    }

    /// <summary>The times of the Debug lines "Tick failed (N in a row)", in order.</summary>
    private static List<TimeSpan> Failures(string output) =>
        FailureLine().Matches(output).Select(m => TimeSpan.ParseExact(m.Groups[1].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture)).ToList();

    [GeneratedRegex(@"(\d\d:\d\d:\d\d\.\d\d\d) dbug: EscalationFunctions\.Server\.TickTimerService\[\d+\] Tick failed \(\d+ in a row\)")]
    private static partial Regex FailureLine();

    private static async Task<long> TicksAsync(string connectionString)
    {
        try
        {
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM escalation_ticks", conn);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        catch (PostgresException)
        {
            return 0; // not migrated yet
        }
    }

    private async Task<string> PostgresAsync(string command)
    {
        var (exit, stdout, stderr) = await ShellRun.RunAsync(RepoPaths.Root, $"scripts/postgres.sh {command} '{_dir.FullName}/pg'");
        Assert.True(exit == 0, $"postgres.sh {command} failed: {stderr}");
        return stdout;
    }
}
