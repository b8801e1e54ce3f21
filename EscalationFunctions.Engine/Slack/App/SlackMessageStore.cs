using System.Text.Json;
using EscalationFunctions.Engine.Data;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using Npgsql;
using NpgsqlTypes;

namespace EscalationFunctions.Engine.Slack.App;

/// <summary>Runs <see cref="SlackMessageSql"/>: app mode's posted messages, their threads and their rewrites.</summary>
public sealed class SlackMessageStore(DeliveryDatabaseGate db, NpgsqlDataSource dataSource)
{
    /// <summary><c>shows</c> is stored as <c>[{"dedup_key": …, "incident_key": …, "level": …, …}]</c>.</summary>
    private static readonly JsonSerializerOptions ShowsJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The ts of the incident's thread in <paramref name="channel"/>, or null when it has none there yet.</summary>
    public Task<string?> ThreadRootAsync(string channel, string incidentKey) => db.RunBeforePostAsync(SlackMessageSql.ThreadRoot, p =>
    {
        p.AddWithValue("channel", channel);
        p.AddWithValue("incident_key", incidentKey);
    }, async r => await r.ReadAsync() ? r.GetString(0) : null, CancellationToken.None);

    /// <summary>Marks <paramref name="message"/>'s rows sent and remembers it under <paramref name="ts"/> (<see cref="SlackMessageSql.RecordPosted"/>).</summary>
    public Task RecordPostedAsync(SlackMessage message, SlackAppTarget target, string ts) => db.ExecuteAsync(SlackMessageSql.RecordPosted, p =>
    {
        p.AddWithValue("ids", message.Members.Select(m => m.Id).ToArray());
        p.AddWithValue("channel", target.Channel);
        p.AddWithValue("ts", ts);
        p.Add(new NpgsqlParameter("thread_ts", NpgsqlDbType.Text) { Value = (object?)target.ThreadTs ?? DBNull.Value });
        p.AddWithValue("is_digest", message.IsDigest);
        p.AddWithValue("shows", JsonSerializer.Serialize(message.Members.Select(ShownEscalation.Of), ShowsJson));
        p.AddWithValue("incident_keys", message.Members.Select(m => m.IncidentKey).Distinct(StringComparer.Ordinal).ToArray());
    });

    /// <summary>Folds the message's other waiting rewrites into <paramref name="rewrite"/> and reads the message as it is to be shown now; null when it is gone.</summary>
    public async Task<PostedMessage?> ReadForRewriteAsync(OutboxNotification rewrite)
    {
        await db.ExecuteAsync(SlackMessageSql.FoldRewrites, p =>
        {
            p.AddWithValue("slack_message_id", rewrite.SlackMessageId!.Value);
            p.AddWithValue("id", rewrite.Id);
        });
        return await db.RunAsync(SlackMessageSql.ReadForRewrite, p => p.AddWithValue("slack_message_id", rewrite.SlackMessageId!.Value), async r =>
        {
            PostedMessage? message = null;
            var states = new Dictionary<string, IncidentShownState>(StringComparer.Ordinal);
            while (await r.ReadAsync())
            {
                message ??= new PostedMessage(rewrite.SlackMessageId!.Value, r.GetString(0), r.GetString(1), r.GetBoolean(2),
                    JsonSerializer.Deserialize<List<ShownEscalation>>(r.GetString(3), ShowsJson)!, states);
                states[r.GetString(4)] = IncidentShownState.Of(
                    r.IsDBNull(5) ? null : r.GetString(5),
                    r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6),
                    r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7));
            }
            return message;
        }, CancellationToken.None);
    }

    public Task RecordRewrittenAsync(long[] ids) => db.ExecuteAsync(SlackMessageSql.RecordRewritten, p => p.AddWithValue("ids", ids));

    /// <summary>Queues the rewrites owed since the last tick (<see cref="SlackMessageSql.QueueRewrites"/>); returns how many.</summary>
    public async Task<int> QueueRewritesAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(SlackMessageSql.QueueRewrites);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var queued = 0;
        while (await reader.ReadAsync(ct))
        {
            queued++;
        }
        return queued;
    }
}
