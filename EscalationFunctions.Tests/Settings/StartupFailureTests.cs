using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Settings;

/// <summary>
/// Start-up failures that valid settings can still meet, on the real server binary: one line on
/// stderr naming what failed and where, exit code 1, no stack trace and no secret.
/// </summary>
[Lane(TestLane.Process)]
public class StartupFailureTests
{
    private static Dictionary<string, string> Settings(string connectionString) => TestSettings.Deployment(connectionString);

    private static string OneLine(string stderr)
    {
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", stderr);
        return line;
    }

    [Fact]
    public async Task An_unreachable_database_is_one_line_naming_its_host_port_database_and_user_and_never_the_password()
    {
        var port = ServerProcess.FreePort(); // nothing listens there
        var (exit, _, stderr) = await ServerProcess.RunToExitAsync(
            Settings($"Host=127.0.0.1;Port={port};Database=escalation;Username=worker;Password=never-printed-pw;Timeout=5"),
            ["serve", "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}"]);

        Assert.Equal(1, exit);
        var line = OneLine(stderr);
        Assert.StartsWith($"Start-up failed: PostgreSQL at 127.0.0.1:{port} (database 'escalation', user 'worker', from {SettingNames.PostgresConnectionString})", line);
        Assert.Contains("refused", line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("never-printed-pw", stderr);
    }

    [Fact]
    public async Task An_address_this_machine_does_not_have_is_one_line_naming_it()
    {
        var (exit, _, stderr) = await ServerProcess.RunToExitAsync(
            Settings("Host=127.0.0.1;Port=1;Database=none;Username=none;Password=never-printed-pw"), ["serve", "--urls", "http://192.0.2.1:7399"]);

        Assert.Equal(1, exit);
        Assert.StartsWith("Start-up failed: cannot listen on http://192.0.2.1:7399: ", OneLine(stderr));
    }
}
