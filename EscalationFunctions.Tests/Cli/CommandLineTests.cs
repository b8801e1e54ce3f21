using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Cli;

/// <summary>The server binary's command line, run as a newcomer runs it (a child process, real database).</summary>
[Lane(TestLane.Process)]
public class CommandLineTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    [InlineData("serve --help")]
    [InlineData("help serve")]
    [InlineData("status --help")]
    [InlineData("migrate --help")]
    [InlineData("samples -h")]
    [InlineData("sign --help")]
    [InlineData("help sign")]
    public async Task Help_prints_usage_and_exits_0_without_starting_anything_or_touching_the_database(string args)
    {
        // A database with work waiting: a worker that started would tick (escalate, heartbeat) and post.
        await Incidents.InsertDueAsync(Db, 2);
        await Db.ExecuteAsync(
            """
            INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title)
            VALUES (escalation_hash('OLD-1', 1), 'OLD-1', 1, 'default', 'warning', 'waiting message')
            """);
        var before = await Db.SnapshotAsync();

        var (exit, output, _) = await ServerProcess.RunToExitAsync(
            TestSettings.Environment(Db, overrides: new() { [SettingNames.TickMs] = "200" }), args.Split(' '), TimeSpan.FromSeconds(60));

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output);
        Assert.Contains("Options:", output);
        Assert.DoesNotContain("listening on", output);
        Assert.Equal(before, await Db.SnapshotAsync());
    }

    [Fact]
    public async Task Root_help_lists_every_command()
    {
        var (_, output, _) = await ServerProcess.RunToExitAsync(new(), ["help"]);

        foreach (var command in new[] { "serve", "status", "migrate", "samples", "sign", "help" })
        {
            Assert.Matches($@"(?m)^\s+{command}\b", output);
        }
    }

    [Theory]
    [InlineData("frobnicate", "frobnicate")]
    [InlineData("--frobnicate", "--frobnicate")]
    [InlineData("help frobnicate", "frobnicate")]
    [InlineData("serve extra", "extra")]
    [InlineData("sign --as nobody", "NAME:ROLE")]
    [InlineData("sign --timestamp soon", "soon")]
    [InlineData("sign --body {} --body-file x.json", "--body-file")]
    [InlineData("status --hours 0", "--hours")]
    [InlineData("status --limit 20000", "--limit")]
    [InlineData("status --hours abc", "expected a whole number from 1 to 8784")]
    [InlineData("status --hours 99999999999", "99999999999")]
    [InlineData("sign --method GET;rm", "GET;rm")]
    public async Task A_command_line_that_does_not_parse_is_one_line_naming_the_problem_and_exits_2(string args, string named)
    {
        var before = await Db.SnapshotAsync();

        var (exit, _, stderr) = await ServerProcess.RunToExitAsync(TestSettings.Environment(Db), args.Split(' '));

        Assert.Equal(2, exit);
        Assert.Contains(named, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain("   at ", stderr);
        Assert.Equal(before, await Db.SnapshotAsync());
    }

    [Theory]
    [InlineData("migrate")]
    [InlineData("samples")]
    [InlineData("status")]
    public async Task Database_commands_without_a_connection_string_say_so_in_one_line(string command)
    {
        var (exit, _, stderr) = await ServerProcess.RunToExitAsync(new(), [command]);

        Assert.Equal(2, exit);
        Assert.Contains("POSTGRES_CONNECTION_STRING is not set", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Theory]
    [InlineData("migrate")]
    [InlineData("samples")]
    [InlineData("status")]
    public async Task Database_commands_against_a_stopped_database_say_so_in_one_line(string command)
    {
        var closedPort = ServerProcess.FreePort();
        var (exit, _, stderr) = await ServerProcess.RunToExitAsync(
            new() { [SettingNames.PostgresConnectionString] = $"Host=127.0.0.1;Port={closedPort};Username=postgres;Password=hunter2;Database=x;Timeout=5" },
            [command]);

        Assert.Equal(1, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"Database error (127.0.0.1:{closedPort}/x):", line);
        Assert.DoesNotContain("hunter2", line);
    }

    [Fact]
    public async Task Migrate_and_samples_work_as_before()
    {
        var (migrateExit, migrateOut, _) = await ServerProcess.RunToExitAsync(TestSettings.Environment(Db), ["migrate"]);
        var (samplesExit, samplesOut, _) = await ServerProcess.RunToExitAsync(TestSettings.Environment(Db), ["samples"]);

        Assert.Equal(0, migrateExit);
        Assert.Contains("Schema is up to date.", migrateOut);
        Assert.Equal(0, samplesExit);
        Assert.Contains("DEMO-", samplesOut);
        Assert.Equal(3L, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE incident_key LIKE 'DEMO-%'"));
    }
}
