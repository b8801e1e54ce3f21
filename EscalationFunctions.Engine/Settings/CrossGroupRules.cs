namespace EscalationFunctions.Engine.Settings;

/// <summary>Rules that hold between settings of different groups, each checked where the reader has both sides.</summary>
internal static class CrossGroupRules
{
    /// <summary>
    /// Webhook delivery needs somewhere to post: the global webhook, per-route webhooks, or Slack app
    /// mode. A bad webhook setting is already its own line, so it is not reported twice.
    /// </summary>
    public static void RequireSlackDestination(SettingValues values, SlackDeliveryMode delivery, SlackWebhookTable webhooks,
        SlackAppSettings? app, bool webhookProblems)
    {
        if (app is null && delivery == SlackDeliveryMode.Webhook && webhooks.Routes.Count == 0 && !values.Has(SettingNames.SlackWebhookUrl) && !webhookProblems)
        {
            values.Problems.Add($"{SettingNames.SlackWebhookUrl} is not set: expected the Slack incoming webhook URL " +
                                $"(or per-route webhooks in {SettingNames.SlackRouteWebhooks}, or {SettingNames.SlackDelivery}=console to print messages instead).");
        }
    }
}
