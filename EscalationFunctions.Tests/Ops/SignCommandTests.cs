using System.Text;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Ops;

/// <summary>The operators' signing command, run as the README and the runbook run it.</summary>
[Lane(TestLane.Process)]
public class SignCommandTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    [Fact]
    public async Task Sign_prints_two_headers_that_verify_against_the_body()
    {
        var (exit, stdout, _) = await ServerProcess.RunToExitAsync(new() { ["MY_KEY"] = $"{OpsCall.Secret},{OpsCall.OldSecret}" },
            ["sign", "--secret-env", "MY_KEY", "--body", """{"reason":"drill"}""", "--timestamp", "1700000000"]);

        Assert.Equal(0, exit);
        var headers = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("1700000000", headers[HmacRequestSignature.TimestampHeader]);
        Assert.Equal(SignatureCheck.Valid, HmacRequestSignature.Verify([OpsCall.Secret], "1700000000", headers[HmacRequestSignature.SignatureHeader],
            Encoding.UTF8.GetBytes("""{"reason":"drill"}"""), DateTimeOffset.FromUnixTimeSeconds(1700000000)));
        Assert.DoesNotContain(OpsCall.Secret, stdout);
    }

    [Fact]
    public async Task Without_the_key_in_the_environment_sign_says_so_in_one_line()
    {
        var (exit, _, stderr) = await ServerProcess.RunToExitAsync(new(), ["sign"]);

        Assert.Equal(2, exit);
        Assert.Contains("OPS_HMAC_SECRET is not set", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task The_printed_curl_command_calls_the_server_successfully_with_a_function_key()
    {
        const string functionKey = "readme-function-key-0123456789";
        await Incidents.InsertDueAsync(Db, 2);
        await using var server = await InProcessServer.StartAsync(OpsTestSettings.For(Db, new() { [SettingNames.OpsFunctionKey] = functionKey }));
        var (exit, curl, _) = await ServerProcess.RunToExitAsync(new() { [SettingNames.OpsHmacSecret] = OpsCall.Secret },
            ["sign", "--url", new Uri(server.BaseUrl, "/ops/escalation/tick").AbsoluteUri, "--as", "operator:ops_admin",
             "--function-key-env", "OPS_FUNCTION_KEY"]);
        Assert.Equal(0, exit);
        Assert.DoesNotContain(functionKey, curl);

        var (_, response, _) = await ChildProcess.RunAsync(
            new ChildProcessStart("bash", ["-c", curl.Trim()]) { Environment = new Dictionary<string, string?> { ["OPS_FUNCTION_KEY"] = functionKey } },
            TimeSpan.FromSeconds(60));

        Assert.Contains("\"escalations\":2", response);
        Assert.Equal(2, await Incidents.EventCountAsync(Db));
        Assert.Contains("operator", await Db.QueryAsync("SELECT caller FROM ops_audit WHERE outcome = 'ok'", r => r.GetString(0)));
    }
}
