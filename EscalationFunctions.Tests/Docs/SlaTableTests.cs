using System.Text.RegularExpressions;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Docs;

/// <summary>The SLA table of docs/escalation-v1.md is what the database's escalation_next_due computes.</summary>
[Lane(TestLane.Database)]
public class SlaTableTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    [Theory]
    [InlineData("critical", "critical")]
    [InlineData("warning", "warning, and any other")]
    [InlineData("info", "warning, and any other")]
    public async Task Each_level_fires_when_the_table_says(string severity, string row)
    {
        var line = File.ReadAllLines(Path.Combine(RepoPaths.Root, "docs", "escalation-v1.md")).Single(l => l.StartsWith($"| {row} |"));
        var documented = line.Split('|', StringSplitOptions.TrimEntries).Skip(3).Where(c => c.Length > 0).Select(int.Parse).ToList();

        // Walk an incident through its levels: each escalation happens exactly when it falls due.
        var start = new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc);
        await Db.ExecuteAsync("INSERT INTO incidents (incident_key, route, severity, first_seen) VALUES ('SLA', 'r', @s, @f)", ("s", severity), ("f", start));
        var computed = new List<int>();
        while (await Db.ScalarAsync<DateTime?>("SELECT next_due_at FROM incidents WHERE incident_key = 'SLA'") is { } due)
        {
            computed.Add((int)(due - start).TotalMinutes);
            await Db.ExecuteAsync("UPDATE incidents SET escalation_level = escalation_level + 1, last_escalated_at = next_due_at WHERE incident_key = 'SLA'");
        }

        Assert.Equal(7, computed.Count);
        Assert.Equal(documented, computed);
        Assert.Matches(new Regex(@"\| \d+ min \|"), line);
    }
}
