using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Status;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// <c>status</c>: what the worker is doing, from the database (needs only POSTGRES_CONNECTION_STRING):
/// open incidents with their level and next due time, the escalations of the last hours and their
/// Slack state, pending, dead and superseded messages, incidents quarantined as poison rows, each instance's last tick. A table for people, <c>--json</c>
/// for scripts. Reads only.
/// </summary>
public static class StatusCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // titles keep their apostrophes; still valid JSON
    };

    public static Command Create()
    {
        // Parsed by CliOptions: a value that is not a whole number in range is one line naming it, never an exception.
        var hours = CliOptions.WholeNumber("--hours", 1, 24 * 366);
        hours.Description = "Show the escalations of this many hours back.";
        hours.HelpName = "N";
        hours.DefaultValueFactory = _ => 24;
        var limit = CliOptions.WholeNumber("--limit", 0, 10_000);
        limit.Description = "Rows shown per list (counts are always complete).";
        limit.HelpName = "N";
        limit.DefaultValueFactory = _ => 20;
        var json = new Option<bool>("--json") { Description = "Print the report as JSON, for scripts." };

        var status = new Command("status", "Show open incidents, recent escalations, waiting and dead Slack messages, quarantined incidents and " +
                                           "each instance's last tick " +
                                           "(reads the database; needs only POSTGRES_CONNECTION_STRING).")
        {
            hours, limit, json,
        };
        status.SetAction((parsed, ct) => DatabaseCommand.RunAsync(async db =>
        {
            var report = await new StatusReportReader(db).ReadAsync(parsed.GetValue(hours), parsed.GetValue(limit), ct) with
            {
                SlackFallbackRoutes = FallbackRoutes(Environment.GetEnvironmentVariable),
            };
            if (parsed.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, Json));
            }
            else
            {
                Write(report, Console.Out);
            }
            return ExitCodes.Ok;
        }));
        return status;
    }

    public static void Write(StatusReport report, TextWriter output)
    {
        var now = report.DatabaseTime;
        output.WriteLine($"Database time {Time(now)}");

        output.WriteLine();
        output.WriteLine($"Open incidents: {report.OpenIncidents.Count}{More(report.OpenIncidents.Count, report.OpenIncidents.Shown.Count)}");
        if (report.OpenIncidents.Shown.Count > 0)
        {
            var table = new TextTable("INCIDENT", "ROUTE", "SEVERITY", "LEVEL", "NEXT ESCALATION", "TITLE");
            foreach (var i in report.OpenIncidents.Shown)
            {
                table.Add(i.IncidentKey, i.Route, i.Severity, i.Level.ToString(CultureInfo.InvariantCulture),
                    i.NextDueAt is { } due ? $"{Time(due)} ({Relative(due, now)})" : "none (top level)", i.Title);
            }
            table.WriteTo(output);
        }

        if (report.Overdue.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"Overdue, not paged yet: {report.Overdue.Count}{More(report.Overdue.Count, report.Overdue.Shown.Count)}");
            var table = new TextTable("INCIDENT", "ROUTE", "LEVEL", "DUE SINCE", "WHY NOT PAGED");
            foreach (var o in report.Overdue.Shown)
            {
                table.Add(o.IncidentKey, o.Route, o.Level.ToString(CultureInfo.InvariantCulture), $"{Time(o.DueAt)} ({Relative(o.DueAt, now)})", o.Reason);
            }
            table.WriteTo(output);
        }

        var escalations = report.Escalations;
        output.WriteLine();
        output.WriteLine($"Escalations in the last {escalations.Hours} h: {escalations.Count}{More(escalations.Count, escalations.Shown.Count)}");
        if (escalations.Shown.Count > 0)
        {
            var table = new TextTable("AT", "INCIDENT", "LEVEL", "ROUTE", "SEVERITY", "SLACK");
            foreach (var e in escalations.Shown)
            {
                table.Add(Time(e.At), e.IncidentKey, e.Level.ToString(CultureInfo.InvariantCulture), e.Route ?? "-", e.Severity ?? "-", e.Slack ?? "-");
            }
            table.WriteTo(output);
        }

        var messages = report.Messages;
        output.WriteLine();
        output.WriteLine($"Slack messages: {messages.Pending} pending" +
                         (messages.OldestPendingAt is { } oldest ? $" (oldest since {Time(oldest)}, {Relative(oldest, now)})" : "") +
                         $", {messages.Dead} dead{More(messages.Dead, messages.DeadShown.Count)}" +
                         $", {messages.Superseded} superseded in the last {escalations.Hours} h (acknowledged or resolved before their post)");
        if (report.Failing.Count > 0)
        {
            output.WriteLine("Pending messages whose last post failed (retried at NEXT TRY):");
            var table = new TextTable("QUEUED", "KIND", "INCIDENT", "LEVEL", "ROUTE", "ATTEMPTS", "NEXT TRY", "LAST ERROR");
            foreach (var f in report.Failing)
            {
                table.Add(Time(f.CreatedAt), f.Kind, f.IncidentKey, f.Level?.ToString(CultureInfo.InvariantCulture) ?? "-", f.Route ?? "-",
                    f.Attempts.ToString(CultureInfo.InvariantCulture), Time(f.NextAttemptAt), f.LastError ?? "-");
            }
            table.WriteTo(output);
        }
        if (messages.DeadShown.Count > 0)
        {
            var table = new TextTable("QUEUED", "KIND", "INCIDENT", "LEVEL", "ROUTE", "ATTEMPTS", "LAST ERROR");
            foreach (var d in messages.DeadShown)
            {
                table.Add(Time(d.CreatedAt), d.Kind, d.IncidentKey, d.Level?.ToString(CultureInfo.InvariantCulture) ?? "-", d.Route ?? "-",
                    d.Attempts.ToString(CultureInfo.InvariantCulture), d.LastError);
            }
            table.WriteTo(output);
        }

        if (report.SlackFallbackRoutes.Count > 0)
        {
            output.WriteLine($"Routes whose own webhook in {SettingNames.SlackRouteWebhooks} is invalid, paged through {SettingNames.SlackWebhookUrl} instead: " +
                             string.Join(", ", report.SlackFallbackRoutes.Select(r => $"'{UntrustedText.Escape(r)}'")));
        }

        var quarantined = report.Quarantined;
        output.WriteLine();
        output.WriteLine($"Quarantined incidents: {quarantined.Count}{More(quarantined.Count, quarantined.Shown.Count)}" +
                         (quarantined.Count > 0 ? " (skipped by every tick until the row is updated; runbook section 7)" : ""));
        if (quarantined.Shown.Count > 0)
        {
            var table = new TextTable("QUARANTINED", "INCIDENT", "ROUTE", "LEVEL", "ERROR");
            foreach (var q in quarantined.Shown)
            {
                table.Add(Time(q.QuarantinedAt), q.IncidentKey, q.Route, q.Level.ToString(CultureInfo.InvariantCulture), q.Error);
            }
            table.WriteTo(output);
        }

        output.WriteLine();
        output.WriteLine($"Instances that ticked in the last hour: {report.Instances.Count}" +
                         (report.OlderInstances > 0 ? $" ({report.OlderInstances} more last ticked earlier: gone, or stopped)" : ""));
        if (report.Instances.Count > 0)
        {
            var table = new TextTable("INSTANCE", "LAST TICK", "OUTCOME", "MODE");
            foreach (var t in report.Instances)
            {
                table.Add(t.InstanceId, $"{Time(t.LastCompletedAt)} ({Relative(t.LastCompletedAt, now)})", t.Outcome, t.Mode);
            }
            table.WriteTo(output);
        }
        else
        {
            output.WriteLine(report.OlderInstances > 0 ? "  none: no worker is ticking now" : "  no instance has completed a tick yet");
        }
    }

    /// <summary>The routes that fall back to the global webhook, by the same parse as the worker's (settings this command may not have are simply absent).</summary>
    internal static IReadOnlyList<string> FallbackRoutes(Func<string, string?> environment) =>
        SlackWebhookTable.Parse(environment(SettingNames.SlackWebhookUrl), environment(SettingNames.SlackRouteWebhooks), new List<string>(), new List<string>())
            .FallbackRoutes;

    private static string More(long count, int shown) => count > shown ? $" (the first {shown} shown; --limit shows more)" : "";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>"in 4 min", "2 h ago": relative to the database's clock, which the tick uses too.</summary>
    private static string Relative(DateTimeOffset t, DateTimeOffset now)
    {
        var span = t - now;
        var size = span.Duration();
        var text = size < TimeSpan.FromMinutes(1) ? $"{(int)size.TotalSeconds} s"
            : size < TimeSpan.FromHours(1) ? $"{(int)size.TotalMinutes} min"
            : size < TimeSpan.FromDays(2) ? $"{(int)size.TotalHours} h"
            : $"{(int)size.TotalDays} d";
        return span >= TimeSpan.Zero ? $"in {text}" : $"{text} ago";
    }
}
