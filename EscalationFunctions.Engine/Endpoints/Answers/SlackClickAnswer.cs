namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>What Slack gets back for a click it delivered: a 200 with <c>{"ok": true}</c>; the visible answer goes to the <c>response_url</c>.</summary>
public sealed record SlackClickAnswer(bool Ok)
{
    public static readonly SlackClickAnswer Accepted = new(true);
}
