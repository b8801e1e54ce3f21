using System.Diagnostics;
using System.Net.Sockets;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Scripts;

/// <summary>
/// <c>scripts/run-local.sh</c> in a checkout of its own: start, stop, settings that survive, a
/// sourced environment, a busy port, a failed start and the local acknowledge loop, each as a
/// newcomer meets them.
/// </summary>
[Lane(TestLane.Process)]
public class RunLocalScriptTests : IAsyncLifetime
{
    private readonly LocalCheckout _checkout = new();

    public Task InitializeAsync() => _checkout.InitializeAsync();

    public Task DisposeAsync() => _checkout.DisposeAsync();

    [Fact]
    public async Task Stop_ends_the_worker_it_started_and_then_PostgreSQL()
    {
        await _checkout.StartWorkerAsync();
        var pid = _checkout.WorkerPid ?? throw new InvalidOperationException("no .local/worker.pid");
        var port = _checkout.ReadLocal("postgres/port")!.Trim();

        var (exit, stdout, stderr) = await _checkout.RunAsync("scripts/run-local.sh stop");

        Assert.True(exit == 0, stderr);
        Assert.Contains($"Worker (pid {pid}) stopped.", stdout);
        Assert.Contains("Local PostgreSQL stopped", stdout);
        Assert.Equal(0, await _checkout.WorkerExitAsync()); // the worker shut down gracefully, and the script with it
        Assert.Contains("Stopping: the tick and the Slack posts in flight finish first", _checkout.WorkerOutput);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
        Assert.False(LoopbackPort.IsListening(int.Parse(port)), "PostgreSQL still listens");
        Assert.Null(_checkout.WorkerPid);
    }

    [Fact]
    public async Task Settings_in_local_settings_survive_and_a_sourced_env_does_not_break_the_next_start()
    {
        await _checkout.StartWorkerAsync();
        Assert.Contains("tick every 10000 ms", _checkout.WorkerOutput);
        var settings = _checkout.ReadLocal("settings")!;
        Assert.Contains("ESC_TICK_MS=10000", settings);
        _checkout.WriteLocal("settings", settings.Replace("ESC_TICK_MS=10000", "ESC_TICK_MS=2500") + "ESC_DRY_RUN=true\n");
        Assert.Contains("do not edit", _checkout.ReadLocal("env"));
        await _checkout.RunAsync("scripts/run-local.sh stop");
        await _checkout.WorkerExitAsync();

        // As after the README's `source .local/env` (for psql): the next start must still start PostgreSQL and read .local/settings.
        await _checkout.StartWorkerAsync("source .local/env && scripts/run-local.sh");

        Assert.Contains("tick every 2500 ms", _checkout.WorkerOutput);
        Assert.Contains("mode: DRY RUN", _checkout.WorkerOutput);
        Assert.Contains("ESC_TICK_MS=2500", _checkout.ReadLocal("settings"));
        var (exit, stdout, _) = await _checkout.RunAsync("scripts/ops-call.sh health");
        Assert.Equal(0, exit);
        Assert.Contains("\"dryRun\":true", stdout);
    }

    [Fact]
    public async Task The_ack_command_the_samples_suggest_acknowledges_once_and_a_repeat_says_so()
    {
        await _checkout.StartWorkerAsync();
        var (samplesExit, samples, samplesErr) = await _checkout.RunAsync("scripts/run-local.sh samples");
        Assert.True(samplesExit == 0, samplesErr);
        var ack = samples.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("./scripts/ops-call.sh ack ", StringComparison.Ordinal));
        var key = ack["./scripts/ops-call.sh ack ".Length..].Trim('\'');

        var (exit, first, stderr) = await _checkout.RunAsync(ack);
        Assert.True(exit == 0, stderr);
        Assert.Contains($"\"incidentKey\":\"{key}\"", first);
        Assert.Contains("\"alreadyAcknowledged\":false", first);
        Assert.Contains("\"acknowledgedBy\":\"", first);

        var (_, second, _) = await _checkout.RunAsync(ack);
        Assert.Contains("\"alreadyAcknowledged\":true", second);

        var (_, unknown, _) = await _checkout.RunAsync("scripts/ops-call.sh ack 'NO-SUCH INCIDENT/1'");
        Assert.Contains("\"error\":\"incident_not_found\"", unknown);
    }

    [Fact]
    public async Task With_a_channel_and_no_token_app_mode_is_rehearsed_on_the_console_posts_then_the_rewrite_after_an_ack()
    {
        await _checkout.StartWorkerAsync(extra: new() { [SettingNames.SlackChannel] = "C0LOCAL", [SettingNames.TickMs] = "1000" });
        Assert.Contains("Slack app mode rehearsed", _checkout.WorkerOutput);
        var (samplesExit, samples, samplesErr) = await _checkout.RunAsync("scripts/run-local.sh samples");
        Assert.True(samplesExit == 0, samplesErr);
        await Eventually.TrueAsync(() => Task.FromResult(_checkout.WorkerOutput.Contains("chat.postMessage #C0LOCAL ts ")), TimeSpan.FromSeconds(60),
            "a page printed as a channel post");

        var ack = samples.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("./scripts/ops-call.sh ack ", StringComparison.Ordinal));
        var (exit, _, stderr) = await _checkout.RunAsync(ack);
        Assert.True(exit == 0, stderr);

        await Eventually.TrueAsync(() => Task.FromResult(_checkout.WorkerOutput.Split('\n').Any(l => l.Contains("chat.update #C0LOCAL ts ") && l.Contains("Acknowledged by"))),
            TimeSpan.FromSeconds(60), "the rewrite printed after the acknowledgement");
    }

    [Fact]
    public async Task Check_slack_test_and_resolve_run_against_the_local_worker_settings_and_database()
    {
        await _checkout.StartWorkerAsync();
        var (samplesExit, samples, _) = await _checkout.RunAsync("scripts/run-local.sh samples");
        Assert.Equal(0, samplesExit);
        var key = samples.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("./scripts/ops-call.sh ack ", StringComparison.Ordinal))
            ["./scripts/ops-call.sh ack ".Length..].Trim('\'');

        var check = await _checkout.RunAsync("scripts/run-local.sh check");
        var slackTest = await _checkout.RunAsync("scripts/run-local.sh slack-test payments");
        var resolve = await _checkout.RunAsync($"scripts/run-local.sh resolve '{key}'");

        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Contains("settings: valid; mode: escalating, every route", check.Stdout);
        Assert.Contains("Slack: printed to the log (SLACK_DELIVERY=console): nothing to reach", check.Stdout);
        Assert.Matches(@"PostgreSQL 127\.0\.0\.1:\d+/escalation: reachable", check.Stdout);
        Assert.True(slackTest.ExitCode == 0, slackTest.Stdout + slackTest.Stderr);
        Assert.Contains("Slack answered: posted", slackTest.Stdout);
        Assert.True(resolve.ExitCode == 0, resolve.Stdout + resolve.Stderr);
        Assert.StartsWith($"Resolved '{key}' at ", resolve.Stdout.Trim());
    }

    [Fact]
    public async Task An_exported_setting_wins_over_local_settings()
    {
        await _checkout.StartWorkerAsync(extra: new() { [SettingNames.TickMs] = "4000" });

        Assert.Contains("tick every 4000 ms", _checkout.WorkerOutput);
    }

    [Fact]
    public async Task A_busy_port_is_one_line_naming_it_and_how_to_choose_another()
    {
        using var squatter = new TcpListener(System.Net.IPAddress.Loopback, _checkout.WorkerPort);
        squatter.Start();

        var (exit, stdout, stderr) = await _checkout.RunAsync("scripts/run-local.sh");

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"port {_checkout.WorkerPort} is in use", line);
        Assert.Contains("ASPNETCORE_URLS=", line);
    }

    [Fact]
    public async Task The_server_itself_says_a_busy_port_in_one_line()
    {
        using var squatter = new TcpListener(System.Net.IPAddress.Loopback, _checkout.WorkerPort);
        squatter.Start();

        var (exit, _, stderr) = await ServerProcess.RunToExitAsync(new()
        {
            [SettingNames.PostgresConnectionString] = "Host=127.0.0.1;Port=1;Database=x",
            [SettingNames.AppBaseUrl] = TestSettings.AppBaseUrl,
            [SettingNames.SlackDelivery] = "console",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{_checkout.WorkerPort}",
        }, ["serve"]);

        Assert.Equal(1, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"http://127.0.0.1:{_checkout.WorkerPort} is already in use", line);
        Assert.Contains("ASPNETCORE_URLS", line);
    }

    [Fact]
    public async Task A_failed_start_leaves_the_last_good_env_for_ops_call()
    {
        await _checkout.StartWorkerAsync();
        var good = _checkout.ReadLocal("env");
        await _checkout.RunAsync("scripts/run-local.sh stop");
        await _checkout.WorkerExitAsync();

        var (exit, _, stderr) = await _checkout.RunAsync("scripts/run-local.sh", new() { [SettingNames.OpsHmacSecret] = "short" });

        Assert.Equal(2, exit);
        Assert.Contains("OPS_HMAC_SECRET", stderr);
        Assert.Equal(good, _checkout.ReadLocal("env"));
    }

}
