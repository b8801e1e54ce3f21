using System.Net;
using System.Text;
using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Notifications;
using EscalationFunctions.Engine.Security;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace EscalationFunctions.Engine.Interactions;

/// <summary>
/// Posts the queued <c>response_url</c> answers (spec §9): right after a click was answered, and
/// again from every delivery pass (the background sender and the timer invocation), so an answer
/// queued by an instance that stopped is posted by another. Only to hosts in
/// <c>SLACK_RESPONSE_URL_HOSTS</c>, redirects never followed (the client does not follow them, and
/// a 3xx is a permanent failure). 2xx: sent. 429, 5xx, no answer: tried again with backoff while
/// Slack still accepts the URL (30 minutes). Any other answer: dead, logged. The key came in a
/// click and the answer from the response_url's server: both are escaped and cut for the log and
/// the stored error (spec §6.1), where they are read.
/// </summary>
public sealed class SlackReplySender(
    NpgsqlDataSource db,
    EscalationSettings settings,
    HttpClient http,
    ILogger<SlackReplySender> logger)
{
    /// <summary>Slack accepts a response_url for 30 minutes; after that a retry is pointless.</summary>
    public static readonly TimeSpan ResponseUrlLifetime = TimeSpan.FromMinutes(30);

    private const int BatchSize = 20;
    private const int MaxReasonPhraseChars = 100;
    private static readonly TimeSpan RetryBase = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(2);

    /// <summary>Posts the answer with this id now, if it is still waiting.</summary>
    public Task<int> DeliverAsync(long id, CancellationToken ct) => DeliverClaimedAsync(id, ct);

    /// <summary>Posts every answer that is due; returns how many were tried.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var total = 0;
        int tried;
        while ((tried = await DeliverClaimedAsync(null, ct)) > 0)
        {
            total += tried;
        }
        return total;
    }

    private async Task<int> DeliverClaimedAsync(long? onlyId, CancellationToken ct)
    {
        var rows = await ClaimAsync(onlyId, ct);
        foreach (var row in rows)
        {
            await DeliverOneAsync(row, ct);
        }
        return rows.Count;
    }

    private async Task DeliverOneAsync(Claimed row, CancellationToken ct)
    {
        var url = settings.Slack.ResponseUrlHosts.Allow(row.ResponseUrl, out var refusal);
        if (url is null)
        {
            // The refusal quotes the URL's host and scheme, which came in the click.
            var why = UntrustedText.Escape(refusal);
            logger.LogWarning("Slack answer for {IncidentKey} not posted: {Refusal}", row.IncidentKey, why);
            await FinishAsync(row.Id, "dead", why);
            return;
        }

        var (outcome, error) = await PostAsync(url, row.Body, ct);
        switch (outcome)
        {
            case Outcome.Sent:
                await FinishAsync(row.Id, "sent", null);
                logger.LogInformation("Slack answer for {IncidentKey} posted to its response_url", row.IncidentKey);
                return;
            case Outcome.Retry when row.Age < ResponseUrlLifetime:
                var delay = RetryBackoff.Delay(row.Attempts, RetryBase, MaxRetryDelay);
                logger.LogWarning("Slack answer for {IncidentKey} failed ({Error}); trying again in {RetryMs:F0} ms",
                    row.IncidentKey, error, delay.TotalMilliseconds);
                await RetryAsync(row.Id, delay, error!);
                return;
            default:
                logger.LogError("Slack answer for {IncidentKey} is dead: {Error}", row.IncidentKey, error);
                await FinishAsync(row.Id, "dead", error);
                return;
        }
    }

    private async Task<(Outcome, string?)> PostAsync(Uri url, string body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.Slack.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return status switch
            {
                >= 200 and < 300 => (Outcome.Sent, null),
                >= 300 and < 400 => (Outcome.Dead, $"HTTP {status}: redirects are not followed"),
                429 or >= 500 => (Outcome.Retry, $"HTTP {status}"),
                _ => (Outcome.Dead, $"HTTP {status} {UntrustedText.Escape(response.ReasonPhrase, MaxReasonPhraseChars)}"),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (Outcome.Retry, $"no answer within {settings.Slack.Timeout.TotalMilliseconds:F0} ms");
        }
        catch (HttpRequestException e)
        {
            // The message may name the host and path (the token); the error kind is enough.
            return (Outcome.Retry, $"network error ({e.HttpRequestError})");
        }
    }

    private async Task<List<Claimed>> ClaimAsync(long? onlyId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(SlackReplySql.Claim);
        cmd.Parameters.AddWithValue("lease_seconds", (2 * settings.Slack.Timeout.TotalSeconds) + 10);
        cmd.Parameters.Add(new NpgsqlParameter("only_id", NpgsqlDbType.Bigint) { Value = (object?)onlyId ?? DBNull.Value });
        cmd.Parameters.AddWithValue("limit", BatchSize);
        cmd.Parameters.AddWithValue("key_chars", UntrustedText.DefaultMaxLength + 1); // one more than is shown, so a longer key is shown cut
        var rows = new List<Claimed>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new Claimed(reader.GetInt64(0), UntrustedText.Escape(reader.GetString(1)), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                reader.GetInt32(4), TimeSpan.FromSeconds(reader.GetDouble(5))));
        }
        return rows;
    }

    // Outcomes are written even while shutting down: a lost one would post the answer twice.
    private async Task FinishAsync(long id, string status, string? error)
    {
        await using var cmd = db.CreateCommand(SlackReplySql.Finish);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("status", status);
        cmd.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private async Task RetryAsync(long id, TimeSpan delay, string error)
    {
        await using var cmd = db.CreateCommand(SlackReplySql.Retry);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("retry_seconds", delay.TotalSeconds);
        cmd.Parameters.AddWithValue("error", error);
        await cmd.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private enum Outcome
    {
        Sent,
        Retry,
        Dead,
    }

    /// <param name="IncidentKey">The click's value, escaped and cut: it is only logged.</param>
    /// <param name="Age">Since the click was answered, by the database's clock (instances' clocks may differ).</param>
    private sealed record Claimed(long Id, string IncidentKey, string? ResponseUrl, string Body, int Attempts, TimeSpan Age);
}
