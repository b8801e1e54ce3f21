namespace EscalationFunctions.Engine.Endpoints;

/// <summary>What handling a call came to: the answer, and what the pipeline records and runs around it.</summary>
/// <param name="AuditDetails">The audit row's details: one of the records <see cref="Answers.AnswerJson"/> lists, text escaped.</param>
public sealed record EndpointOutcome(EndpointAnswer Answer, object? AuditDetails = null)
{
    /// <summary>What the call was about, escaped, for its log line (the incident an ack names).</summary>
    public string? Subject { get; init; }

    /// <summary>Who the call turned out to be from, when the handler learned it from the body (a Slack click's user); escaped.</summary>
    public string? Caller { get; init; }

    /// <summary>Work to start once the answer has been sent (a Slack click's <c>response_url</c> answer); it logs its own failures.</summary>
    public Func<Task>? AfterAnswer { get; init; }

    /// <summary>A failure the pipeline already logged (once per outage): no second line per call.</summary>
    public bool FailureLogged { get; init; }

    public static implicit operator EndpointOutcome(EndpointAnswer answer) => new(answer);
}
