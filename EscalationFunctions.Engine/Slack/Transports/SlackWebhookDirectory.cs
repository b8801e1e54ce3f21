using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Settings;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>
/// The current route-to-webhook table, re-read from the secret store on use so that a webhook
/// rotated in Key Vault is used without a restart. Invalid per-route entries fall back to the
/// global webhook (each logged once as a warning, by start-up or on the rotation that brought it);
/// an invalid global webhook keeps the previous table.
/// </summary>
public sealed class SlackWebhookDirectory
{
    private readonly RotatingSecret<(string?, string?), SlackWebhookTable> _table;

    public SlackWebhookDirectory(EscalationSettings settings, ISecretStore secrets, ILogger<SlackWebhookDirectory> logger)
    {
        // Start-up logged the warnings of the values read at start; a rotated value's new warnings are logged once here.
        var logged = new HashSet<string>(settings.Slack.Webhooks.Warnings, StringComparer.Ordinal);
        _table = new RotatingSecret<(string?, string?), SlackWebhookTable>(
            $"{SettingNames.SlackWebhookUrl}/{SettingNames.SlackRouteWebhooks}",
            settings.Slack.Webhooks,
            async ct => (await secrets.GetAsync(SettingNames.SlackWebhookUrl, ct), await secrets.GetAsync(SettingNames.SlackRouteWebhooks, ct)),
            raw =>
            {
                var problems = new List<string>();
                var table = SlackWebhookTable.Parse(raw.Item1, raw.Item2, problems, new List<string>());
                lock (logged)
                {
                    foreach (var warning in table.Warnings.Where(logged.Add))
                    {
                        TransportsLog.WebhookTableWarning(logger, warning);
                    }
                }
                return problems.Count == 0 ? (table, null) : (null, string.Join(" ", problems));
            },
            logger);
    }

    public ValueTask<SlackWebhookTable> CurrentAsync(CancellationToken ct) => _table.GetAsync(ct);
}
