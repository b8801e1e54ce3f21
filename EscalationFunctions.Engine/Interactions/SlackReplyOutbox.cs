using Npgsql;

namespace EscalationFunctions.Engine.Interactions;

/// <summary>Queues a <c>response_url</c> answer in the caller's transaction (<c>slack_replies</c>).</summary>
public static class SlackReplyOutbox
{
    public static async Task<long> EnqueueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string incidentKey, Uri responseUrl, string body,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(SlackReplySql.Enqueue, conn, tx);
        cmd.Parameters.AddWithValue("incident_key", incidentKey);
        cmd.Parameters.AddWithValue("response_url", responseUrl.OriginalString);
        cmd.Parameters.AddWithValue("body", body);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
