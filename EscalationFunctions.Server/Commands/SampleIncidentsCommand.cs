using System.CommandLine;
using EscalationFunctions.Hosting;
using Npgsql;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// <c>samples</c>: inserts a few demo incidents the way other systems do (plain SQL, no
/// next_due_at), some already past their acknowledgement deadline, so a local run shows escalations
/// at its next tick. Needs only POSTGRES_CONNECTION_STRING.
/// </summary>
public static class SampleIncidentsCommand
{
    private const string InsertSql =
        """
        INSERT INTO incidents (incident_key, route, severity, title, first_seen)
        VALUES (@key, @route, @severity, @title, now() - make_interval(mins => @age_min))
        RETURNING next_due_at
        """;

    private static readonly (string Route, string Severity, string Title, int AgeMinutes)[] Samples =
    [
        ("payments", "critical", "Card authorisations failing", 6),
        ("checkout", "warning", "Checkout latency p99 above 2 s", 16),
        ("search", "critical", "Search cluster red", 1),
    ];

    public static Command Create()
    {
        var samples = new Command("samples", "Insert three demo incidents, two already overdue, for a local run (needs only POSTGRES_CONNECTION_STRING).");
        samples.SetAction((_, ct) => DatabaseCommand.RunAsync(db => InsertAsync(db, ct)));
        return samples;
    }

    private static async Task<int> InsertAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var batch = DateTimeOffset.UtcNow.ToString("HHmmss");
        for (var i = 0; i < Samples.Length; i++)
        {
            var (route, severity, title, age) = Samples[i];
            await using var cmd = dataSource.CreateCommand(InsertSql);
            var key = $"DEMO-{batch}-{i + 1}";
            cmd.Parameters.AddWithValue("key", key);
            cmd.Parameters.AddWithValue("route", route);
            cmd.Parameters.AddWithValue("severity", severity);
            cmd.Parameters.AddWithValue("title", title);
            cmd.Parameters.AddWithValue("age_min", age);
            var due = (DateTime)(await cmd.ExecuteScalarAsync(ct))!;
            Console.WriteLine($"{key}  {severity,-8} route {route,-9} first seen {age,2} min ago, next escalation due {due:HH:mm:ss} UTC  \"{title}\"");
        }
        Console.WriteLine("Incidents past their deadline escalate at the worker's next tick; acknowledge one with:");
        Console.WriteLine($"  {RepositoryScripts.AckCommand.For($"DEMO-{batch}-1")}");
        Console.WriteLine($"  (or with plain SQL, as other systems do: UPDATE incidents SET acknowledged_at = now() WHERE incident_key = 'DEMO-{batch}-1';)");
        return ExitCodes.Ok;
    }
}
