using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Data;

/// <summary>
/// Other systems insert and acknowledge incidents with plain SQL and never set next_due_at; the
/// trigger must give their rows exactly what the spec's formula says (§3).
/// </summary>
[Lane(TestLane.Database)]
public class ForeignWriterTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private static readonly DateTime FirstSeen = new(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc);

    private Task<DateTime?> NextDueAsync(string key) =>
        Db.ScalarAsync<DateTime?>("SELECT next_due_at FROM incidents WHERE incident_key = @k", ("k", key));

    private Task InsertAsync(string key, string severity, int level = 0) =>
        Db.ExecuteAsync(
            "INSERT INTO incidents (incident_key, route, severity, first_seen, escalation_level) VALUES (@k, 'payments', @s, @f, @l)",
            ("k", key), ("s", severity), ("f", FirstSeen), ("l", level));

    [Theory]
    [InlineData("critical", 0, 5)]
    [InlineData("CRITICAL", 0, 5)]
    [InlineData("critical", 2, 15)]
    [InlineData("warning", 0, 15)]
    [InlineData("info", 3, 60)]
    public async Task An_inserted_incident_is_due_after_its_severitys_SLA_times_the_next_level(string severity, int level, int minutes)
    {
        await InsertAsync("F-1", severity, level);

        Assert.Equal(FirstSeen.AddMinutes(minutes), await NextDueAsync("F-1"));
    }

    [Fact]
    public async Task A_value_the_writer_puts_in_next_due_at_is_replaced()
    {
        await Db.ExecuteAsync(
            "INSERT INTO incidents (incident_key, route, severity, first_seen, next_due_at) VALUES ('F-2', 'r', 'warning', @f, '1999-01-01')",
            ("f", FirstSeen));
        await Db.ExecuteAsync("UPDATE incidents SET next_due_at = '2100-01-01' WHERE incident_key = 'F-2'");

        Assert.Equal(FirstSeen.AddMinutes(15), await NextDueAsync("F-2"));
    }

    [Fact]
    public async Task Acknowledging_clears_next_due_at_and_reopening_restores_it()
    {
        await InsertAsync("F-3", "critical");

        await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = now() WHERE incident_key = 'F-3'");
        Assert.Null(await NextDueAsync("F-3"));

        await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = NULL WHERE incident_key = 'F-3'");
        Assert.Equal(FirstSeen.AddMinutes(5), await NextDueAsync("F-3"));
    }

    [Fact]
    public async Task Resolving_or_reaching_the_level_cap_clears_next_due_at()
    {
        await InsertAsync("F-4", "critical");
        await InsertAsync("F-5", "critical", level: 7);
        await Db.ExecuteAsync("UPDATE incidents SET resolved_at = now() WHERE incident_key = 'F-4'");

        Assert.Null(await NextDueAsync("F-4"));
        Assert.Null(await NextDueAsync("F-5"));
    }

    [Fact]
    public async Task Next_due_at_is_never_before_the_snooze_window_of_the_last_escalation_ends()
    {
        await InsertAsync("F-6", "critical");
        var escalatedAt = FirstSeen.AddMinutes(6);

        await Db.ExecuteAsync(
            "UPDATE incidents SET escalation_level = 1, last_escalated_at = @at WHERE incident_key = 'F-6'", ("at", escalatedAt));

        // SLA says first_seen + 5 * 2 = +10 min; the 30 min snooze from +6 min wins.
        Assert.Equal(escalatedAt.AddMinutes(30), await NextDueAsync("F-6"));
    }
}
