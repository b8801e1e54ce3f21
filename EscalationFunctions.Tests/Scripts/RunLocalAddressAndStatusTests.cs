using System.Net.Sockets;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Scripts;

/// <summary>
/// <c>scripts/run-local.sh serve --urls</c> (the address follows into <c>.local/env</c>, ops-call.sh
/// and the incident links), <c>status</c> against a stopped or missing local PostgreSQL (one line,
/// nothing started), and <c>ops-call.sh</c> failing on answers that are not 2xx.
/// </summary>
[Lane(TestLane.Process)]
public class RunLocalAddressAndStatusTests : IAsyncLifetime
{
    private readonly LocalCheckout _checkout = new();

    public Task InitializeAsync() => _checkout.InitializeAsync();

    public Task DisposeAsync() => _checkout.DisposeAsync();

    [Fact]
    public async Task Serve_urls_is_recorded_so_ops_call_and_the_incident_links_follow_it_and_non_2xx_answers_fail()
    {
        // ASPNETCORE_URLS names another port (the checkout exports one): the command line wins.
        var port = ServerProcess.FreePort();
        await _checkout.StartWorkerAsync($"scripts/run-local.sh serve --urls http://127.0.0.1:{port}");

        var env = _checkout.ReadLocal("env")!;
        Assert.Contains($"export OPS_BASE_URL=http://127.0.0.1:{port}\n", env);
        Assert.Contains($"export APP_BASE_URL=http://localhost:{port}\n", env);
        Assert.False(LoopbackPort.IsListening(_checkout.WorkerPort), "the worker listens on ASPNETCORE_URLS instead of --urls");

        var (healthExit, health, healthErr) = await _checkout.RunAsync("scripts/ops-call.sh health");
        Assert.True(healthExit == 0, healthErr);
        Assert.Contains("\"enabled\":", health);

        // The Slack line of an escalation links to the incident at that address.
        var (samplesExit, _, samplesErr) = await _checkout.RunAsync("scripts/run-local.sh samples");
        Assert.True(samplesExit == 0, samplesErr);
        var (tickExit, _, tickErr) = await _checkout.RunAsync("scripts/ops-call.sh tick");
        Assert.True(tickExit == 0, tickErr);
        await Eventually.TrueAsync(() => Task.FromResult(_checkout.WorkerOutput.Contains($"http://localhost:{port}/incidents/DEMO-", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "an escalation's link on the --urls port");

        // 404: the body is printed, the exit code says it failed, one line says why.
        var (unknownExit, unknown, unknownErr) = await _checkout.RunAsync("scripts/ops-call.sh ack 'NO-SUCH INCIDENT/1'");
        Assert.Equal(1, unknownExit);
        Assert.Contains("\"error\":\"incident_not_found\"", unknown);
        Assert.Contains("HTTP 404", Assert.Single(unknownErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        // A key that looks like an option is still the key (the Slack line suggests `ack '-1'` for it).
        var (dashExit, dash, dashErr) = await _checkout.RunAsync("scripts/ops-call.sh ack '-1'");
        Assert.True(dashExit == 1, dashErr);
        Assert.Contains("\"error\":\"incident_not_found\"", dash); // it reached the worker as a key, not refused as an option

        // 401: signed with a key the worker does not hold.
        _checkout.WriteLocal("env", env.Replace("export OPS_HMAC_SECRET=", "export OPS_HMAC_SECRET=0000000000000000000000000000000000000000ffff", StringComparison.Ordinal));
        var (refusedExit, _, refusedErr) = await _checkout.RunAsync("scripts/ops-call.sh tick");
        Assert.Equal(1, refusedExit);
        Assert.Contains("HTTP 401", refusedErr);
    }

    [Fact]
    public async Task Status_never_starts_PostgreSQL_it_says_in_one_line_that_it_is_down_and_how_to_start_it()
    {
        var port = int.Parse(_checkout.ReadLocal("postgres/port")!.Trim());

        // A fresh checkout: no cluster yet.
        var (freshExit, freshOut, freshErr) = await _checkout.RunAsync("scripts/run-local.sh status");
        Assert.Equal(1, freshExit);
        Assert.Equal("", freshOut);
        var fresh = Assert.Single(freshErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no local PostgreSQL", fresh);
        Assert.Contains("./scripts/run-local.sh migrate", fresh);
        Assert.False(Directory.Exists(Path.Combine(_checkout.Root, ".local", "postgres", "data")));
        Assert.False(LoopbackPort.IsListening(port));

        // Running: status reads it.
        await _checkout.StartWorkerAsync();
        var (upExit, up, upErr) = await _checkout.RunAsync("scripts/run-local.sh status");
        Assert.True(upExit == 0, upErr);
        Assert.Contains("Open incidents:", up);

        // Stopped by the user: status says so and leaves it stopped.
        await _checkout.RunAsync("scripts/run-local.sh stop");
        await _checkout.WorkerExitAsync();
        var (downExit, downOut, downErr) = await _checkout.RunAsync("scripts/run-local.sh status --json");
        Assert.Equal(1, downExit);
        Assert.Equal("", downOut);
        var down = Assert.Single(downErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"is not running", down);
        Assert.Contains("./scripts/run-local.sh", down);
        Assert.False(LoopbackPort.IsListening(port), "status started PostgreSQL");
    }

}
