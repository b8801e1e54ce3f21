using EscalationFunctions.Engine.Configuration;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// The current route-to-webhook table. Read from the settings at start-up; when the webhooks come
/// from a secret store that can rotate them, the hosts supply a refreshing source instead.
/// </summary>
public sealed class SlackWebhookDirectory(EscalationSettings settings)
{
    public ValueTask<SlackWebhookTable> CurrentAsync(CancellationToken ct) => ValueTask.FromResult(settings.Slack.Webhooks);
}
