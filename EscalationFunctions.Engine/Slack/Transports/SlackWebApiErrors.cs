namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>
/// What an <c>"ok": false</c> answer of the Web API means for the message (reference §10.3). The Web API
/// answers errors with HTTP 200, so this, not the status code, decides the outcome.
/// </summary>
public static class SlackWebApiErrors
{
    /// <summary>Slack is slow or failing: retried with backoff, like a 5xx.</summary>
    public static readonly IReadOnlySet<string> Transient = new HashSet<string>(StringComparer.Ordinal)
    {
        "internal_error", "fatal_error", "service_unavailable", "request_timeout",
    };

    /// <summary>The token is refused: every message waits (none is dead-lettered) until the token is fixed.</summary>
    public static readonly IReadOnlySet<string> Token = new HashSet<string>(StringComparer.Ordinal)
    {
        "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive",
    };

    public const string RateLimited = "ratelimited";

    public static SlackPostStatus Classify(string error) =>
        error == RateLimited ? SlackPostStatus.RateLimited
        : Transient.Contains(error) ? SlackPostStatus.Failed
        : Token.Contains(error) ? SlackPostStatus.AuthFailed
        : SlackPostStatus.Refused; // channel_not_found, not_in_channel, is_archived, invalid_blocks, msg_too_long, missing_scope, ...
}
