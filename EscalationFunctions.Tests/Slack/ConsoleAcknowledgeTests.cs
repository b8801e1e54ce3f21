using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Slack;

/// <summary>The local loop: console delivery shows the Acknowledge button and the command that acknowledges.</summary>
[Lane(TestLane.Database)]
public class ConsoleAcknowledgeTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    [Theory]
    [InlineData(true, "[Acknowledge] [Open incident]")]
    [InlineData(false, "buttons: [Open incident]")]
    public async Task The_console_line_shows_the_buttons_and_the_ack_command(bool signingSecret, string buttons)
    {
        await Incidents.InsertAsync(Db, "it's INC 1", "payments", "critical", TimeSpan.FromMinutes(6));
        var env = TestSettings.Environment(Db);
        if (signingSecret)
        {
            env[SettingNames.SlackSigningSecret] = SlackClick.Secret;
        }
        await using var engine = InProcessEngine.Create(env);

        await engine.Ticker.TickAsync();
        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        var line = Assert.Single(engine.Logs.Lines, l => l.Contains("#payments:"));
        Assert.Contains(buttons, line);
        Assert.Contains("acknowledge: ./scripts/ops-call.sh ack 'it'\\''s INC 1'", line);
    }

    [Theory]
    [InlineData("it's INC 1")]
    [InlineData("$(touch /tmp/pwned) `x` \"q\" \\ ;|&")]
    public async Task The_printed_command_hands_the_key_to_the_script_unchanged(string key)
    {
        var argument = Engine.Slack.Transports.ConsoleAckCommand.ShellQuoted(key);

        // The shell must see exactly one argument, the key, whatever it holds.
        var (_, seen, _) = await ChildProcess.RunAsync(new ChildProcessStart("bash", ["-c", $"printf '%s' {argument}"]), TimeSpan.FromSeconds(30));

        Assert.Equal(key, seen);
    }
}
