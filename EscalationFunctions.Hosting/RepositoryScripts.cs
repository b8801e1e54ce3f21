using EscalationFunctions.Engine.Slack.Transports;

namespace EscalationFunctions.Hosting;

/// <summary>How the repository's scripts are called from a checkout: what local runs print for operators to copy.</summary>
public static class RepositoryScripts
{
    /// <summary>The local ops call that acknowledges an incident (<c>SLACK_DELIVERY=console</c> prints it under each message).</summary>
    public static readonly ConsoleAckCommand AckCommand = new("./scripts/ops-call.sh ack {0}");
}
