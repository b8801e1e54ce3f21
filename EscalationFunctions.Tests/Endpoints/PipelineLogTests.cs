using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Ops;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Endpoints;

/// <summary>
/// What the pipeline logs per call, on a real server process (reference §6.1): a caller's mistake is one
/// warning line naming the route and the refusal, without a stack trace; an acknowledgement's line
/// names the incident.
/// </summary>
[Lane(TestLane.Process)]
public class PipelineLogTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    [Fact]
    public async Task A_refused_call_is_one_warning_without_a_stack_trace_and_the_ack_line_names_the_incident()
    {
        await Incidents.InsertAsync(Db, "LOGGED-ACK-1", "payments", "critical", TimeSpan.FromMinutes(6));
        await using var server = await ServerProcess.StartAsync(OpsTestSettings.For(Db));
        using var client = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

        var badSignature = OpsCall.Signed("/ops/escalation/tick", secret: "not-the-secret");
        var badJson = OpsCall.Signed("/ops/incidents/ack", body: """{"incidentKey": "LOGGED-ACK-1", "incidentKey": "x"}""");
        var badKey = OpsCall.Signed("/ops/incidents/%C3%28/ack");
        var ack = OpsCall.Signed("/ops/incidents/ack", body: """{"incidentKey": "LOGGED-ACK-1"}""");
        Assert.Equal((401, "signature_mismatch"), Answer(await OpsCall.SendAsync(client, badSignature)));
        Assert.Equal((400, "invalid_json"), Answer(await OpsCall.SendAsync(client, badJson)));
        Assert.Equal((400, "invalid_incident_key"), Answer(await OpsCall.SendAsync(client, badKey)));
        Assert.Equal((200, null), Answer(await OpsCall.SendAsync(client, ack)));
        await Eventually.TrueAsync(() => Task.FromResult(server.Output.Contains("LOGGED-ACK-1 acknowledged", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the ack's log line");

        var lines = server.Output.Split('\n').Where(l => l.Contains("EscalationFunctions.Engine.Endpoints", StringComparison.Ordinal)).ToList();
        var warnings = lines.Where(l => l.Contains("warn:", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, warnings.Count);
        Assert.Contains(warnings, l => l.Contains("tick by anonymous", StringComparison.Ordinal) && l.Contains("401 signature_mismatch", StringComparison.Ordinal));
        Assert.Contains(warnings, l => l.Contains("ack by alice", StringComparison.Ordinal) && l.Contains("400 invalid_json", StringComparison.Ordinal));
        Assert.Contains(warnings, l => l.Contains("ack by alice", StringComparison.Ordinal) && l.Contains("400 invalid_incident_key", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Output.Split('\n'), l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("info:", StringComparison.Ordinal) && l.Contains("ack by alice", StringComparison.Ordinal) &&
                                  l.Contains("200 (incident LOGGED-ACK-1 acknowledged)", StringComparison.Ordinal));
    }

    private static (int, string?) Answer(OpsCall.Answer answer) => (answer.Status, answer.Error);
}
