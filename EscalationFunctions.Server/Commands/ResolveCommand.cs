using System.CommandLine;
using System.Diagnostics;
using EscalationFunctions.Engine.Untrusted;
using Npgsql;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// <c>resolve KEY</c>: marks an incident resolved (<c>resolved_at</c>) the way another system would, so
/// it escalates no more, its waiting pages are not posted, and (Slack app mode) its messages are
/// rewritten at the next tick. Audited like an acknowledgement, in <c>ops_audit</c> (endpoint
/// <c>resolve</c>, caller <c>cli:{user}</c>). Needs only POSTGRES_CONNECTION_STRING.
/// </summary>
public static class ResolveCommand
{
    /// <summary>Reference §3.1: no incident key is longer.</summary>
    private const int MaxKeyLength = 1000;

    private const string ResolveSql =
        """
        WITH target AS (
            SELECT incident_key, resolved_at FROM incidents WHERE incident_key = @key FOR UPDATE
        ),
        resolved AS (
            UPDATE incidents i SET resolved_at = now()
            FROM target t
            WHERE i.incident_key = t.incident_key AND t.resolved_at IS NULL
            RETURNING i.resolved_at
        )
        SELECT (SELECT count(*) FROM target) = 1,
               coalesce((SELECT resolved_at FROM resolved), (SELECT resolved_at FROM target)),
               EXISTS (SELECT 1 FROM resolved)
        """;

    private const string AuditSql =
        """
        INSERT INTO ops_audit (instance_id, caller, endpoint, outcome, http_status, duration_ms, details)
        VALUES (@instance_id, @caller, 'resolve', @outcome, @status, @duration_ms, jsonb_build_object('incidentKey', @key::text))
        """;

    public static Command Create()
    {
        var key = new Argument<string>("key") { Description = "The incident's key (incident_key) as other systems wrote it; quote it for the shell." };
        key.Validators.Add(result =>
        {
            var value = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            // A key that looks like an option is most likely a mistyped option; such a key can be resolved with SQL.
            if (value.Length is 0 or > MaxKeyLength || value.StartsWith('-'))
            {
                result.AddError(CliOptions.BadValue("<key>", value, $"an incident key of 1 to {MaxKeyLength:N0} characters, not starting with '-'"));
            }
        });
        var resolve = new Command("resolve", "Mark an incident resolved (resolved_at = now()), audited as endpoint 'resolve'; it escalates no more " +
                                             "(needs only POSTGRES_CONNECTION_STRING).") { key };
        resolve.SetAction((parsed, ct) => DatabaseCommand.RunAsync(db => ResolveAsync(db, parsed.GetValue(key)!, ct)));
        return resolve;
    }

    private static async Task<int> ResolveAsync(NpgsqlDataSource db, string key, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        bool found, changed;
        DateTime? at;
        await using (var cmd = new NpgsqlCommand(ResolveSql, conn, tx))
        {
            cmd.Parameters.AddWithValue("key", key);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            (found, at, changed) = (reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetDateTime(1), reader.GetBoolean(2));
        }
        var (outcome, status) = !found ? ("incident_not_found", 404) : changed ? ("ok", 200) : ("already_resolved", 200);
        await using (var audit = new NpgsqlCommand(AuditSql, conn, tx))
        {
            audit.Parameters.AddWithValue("instance_id", $"cli:{Environment.MachineName}");
            audit.Parameters.AddWithValue("caller", $"cli:{Environment.UserName}");
            audit.Parameters.AddWithValue("outcome", outcome);
            audit.Parameters.AddWithValue("status", status);
            audit.Parameters.AddWithValue("duration_ms", clock.Elapsed.TotalMilliseconds);
            audit.Parameters.AddWithValue("key", key);
            await audit.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);

        var shown = UntrustedText.Escape(key, 200);
        if (!found)
        {
            await Console.Error.WriteLineAsync($"resolve: no incident has the key '{shown}'.");
            return ExitCodes.Failed;
        }
        Console.WriteLine(changed
            ? $"Resolved '{shown}' at {at:yyyy-MM-dd HH:mm:ss} UTC: it escalates no more, its waiting pages are not posted, and in Slack app mode its messages say so after the next tick."
            : $"'{shown}' was already resolved at {at:yyyy-MM-dd HH:mm:ss} UTC; nothing changed.");
        return ExitCodes.Ok;
    }
}
