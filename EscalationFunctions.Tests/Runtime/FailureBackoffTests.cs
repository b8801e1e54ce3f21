using EscalationFunctions.Engine.Runtime;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace EscalationFunctions.Tests.Runtime;

/// <summary>The policy of a loop whose failure repeats: wait, log once, say when it recovered.</summary>
[Lane(TestLane.Unit)]
public class FailureBackoffTests
{
    private readonly FakeLogCollector _logs = new();
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(1_000, new[] { 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000 })]
    [InlineData(10_000, new[] { 10_000, 20_000, 30_000, 30_000 })]
    [InlineData(60_000, new[] { 60_000, 60_000, 60_000 })] // a slow loop is never made faster
    public void The_wait_doubles_from_the_period_up_to_30_seconds(int periodMs, int[] expectedMs)
    {
        var backoff = Backoff(TimeSpan.FromMilliseconds(periodMs));

        var delays = expectedMs.Select(_ => (int)backoff.Failed(DatabaseDown()).TotalMilliseconds).ToArray();

        Assert.Equal(expectedMs, delays);
        Assert.Equal(TimeSpan.FromMilliseconds(Math.Max(periodMs, 30_000)), backoff.DelayAfter(100_000)); // no overflow in a week-long outage
    }

    [Fact]
    public void A_long_outage_is_one_warning_without_a_stack_trace_and_one_line_when_it_recovers()
    {
        var backoff = Backoff(TimeSpan.FromSeconds(1));

        for (var i = 0; i < 50; i++)
        {
            _time.Advance(backoff.Failed(DatabaseDown()));
        }
        backoff.Succeeded();
        backoff.Succeeded();

        var visible = _logs.Lines.Where(l => !l.StartsWith("Debug", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, visible.Count);
        Assert.StartsWith("Warning Loop: Tick failed: Failed to connect to 127.0.0.1:1 (Connection refused).", visible[0]);
        Assert.Contains("up to 30 s", visible[0]);
        Assert.DoesNotContain("   at ", visible[0]);
        Assert.Matches(@"^Information Loop: Tick recovered after 50 failed tries over \d+ s$", visible[1]);
        Assert.Equal(0, backoff.ConsecutiveFailures);
    }

    [Fact]
    public void After_a_recovery_the_next_outage_warns_again_and_starts_from_the_period()
    {
        var backoff = Backoff(TimeSpan.FromSeconds(2));
        backoff.Failed(DatabaseDown());
        backoff.Failed(DatabaseDown());
        backoff.Succeeded();

        var delay = backoff.Failed(DatabaseDown());

        Assert.Equal(TimeSpan.FromSeconds(2), delay);
        Assert.Equal(2, _logs.Lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_error_that_quotes_a_row_is_one_escaped_line_cut_to_a_thousand_characters()
    {
        // A foreign trigger's error quoting the incident's title: not a data error, so the whole tick fails with it.
        var backoff = Backoff(TimeSpan.FromSeconds(1));
        var title = "POISON\r\nINJECTED \u001b[31mred\u2028FAKE\ttab" + new string('P', 1_000_000);

        backoff.Failed(new InvalidOperationException($"refused by the trigger: {title}", new InvalidOperationException("inner\rFAKE")));

        var warning = Assert.Single(_logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal));
        Assert.StartsWith("Warning Loop: Tick failed: refused by the trigger: POISON\\u000d\\u000aINJECTED \\u001b[31mred\\u2028FAKE\\u0009tabPPP", warning);
        Assert.Contains("PPP… Retrying with backoff", warning);
        Assert.DoesNotContain(warning, c => char.IsControl(c) || c is '\u2028' or '\u2029');
        Assert.True(warning.Length < 1_200, $"{warning.Length} characters");
    }

    private FailureBackoff Backoff(TimeSpan period) => new("Tick", period, new LoggerFactory([new FakeLoggerProvider(_logs)]).CreateLogger("Loop"), _time);

    private static NpgsqlException DatabaseDown() =>
        new("Failed to connect to 127.0.0.1:1", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
}
