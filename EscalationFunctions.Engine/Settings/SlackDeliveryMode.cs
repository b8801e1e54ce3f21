namespace EscalationFunctions.Engine.Settings;

public enum SlackDeliveryMode
{
    /// <summary>POST to the route's (or the global) incoming webhook.</summary>
    Webhook,

    /// <summary>Write each message to the log instead of Slack: local runs without a workspace.</summary>
    Console,
}
