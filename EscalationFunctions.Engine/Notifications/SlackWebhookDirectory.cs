using EscalationFunctions.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// The current route-to-webhook table, re-read from the secret store on use so that a webhook
/// rotated in Key Vault is used without a restart. Invalid per-route entries fall back to the
/// global webhook (logged as warnings); an invalid global webhook keeps the previous table.
/// </summary>
public sealed class SlackWebhookDirectory
{
    private readonly RotatingSecret<(string?, string?), SlackWebhookTable> _table;

    public SlackWebhookDirectory(EscalationSettings settings, ISecretStore secrets, ILogger<SlackWebhookDirectory> logger)
    {
        _table = new RotatingSecret<(string?, string?), SlackWebhookTable>(
            $"{SettingNames.SlackWebhookUrl}/{SettingNames.SlackRouteWebhooks}",
            settings.Slack.Webhooks,
            async ct => (await secrets.GetAsync(SettingNames.SlackWebhookUrl, ct), await secrets.GetAsync(SettingNames.SlackRouteWebhooks, ct)),
            raw =>
            {
                var problems = new List<string>();
                var warnings = new List<string>();
                var table = SlackWebhookTable.Parse(raw.Item1, raw.Item2, problems, warnings);
                foreach (var warning in warnings)
                {
                    logger.LogWarning("{Warning}", warning);
                }
                return problems.Count == 0 ? (table, null) : (null, string.Join(" ", problems));
            },
            logger);
    }

    public ValueTask<SlackWebhookTable> CurrentAsync(CancellationToken ct) => _table.GetAsync(ct);
}
