namespace EscalationFunctions.Engine.Endpoints;

/// <summary>How the audit names callers who are not (yet) known by name.</summary>
public static class Callers
{
    /// <summary>Refused before a caller was known.</summary>
    public const string Anonymous = "anonymous";

    /// <summary>A request whose Slack signature is valid, until its payload names the Slack user.</summary>
    public const string Slack = "slack";
}
