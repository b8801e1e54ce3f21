using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Testing;

/// <summary>
/// Settings for tests, as the environment variables a real deployment would set. In-process tests
/// parse them with the same <see cref="SettingsReader"/> the hosts use.
/// </summary>
public static class TestSettings
{
    public const string AppBaseUrl = "https://escalation.example.test";

    /// <summary>Settings for a worker on <paramref name="db"/>; Slack goes to the stand-in when one is given.</summary>
    public static Dictionary<string, string> Environment(TestDatabase db, SlackStandIn? slack = null, Dictionary<string, string>? overrides = null)
    {
        var env = new Dictionary<string, string>
        {
            [SettingNames.PostgresConnectionString] = db.ConnectionString,
            [SettingNames.AppBaseUrl] = AppBaseUrl,
            [SettingNames.TickMs] = "60000",
            // Tests space posts 20 ms apart instead of Slack's 1 s; the pacing test sets its own.
            [SettingNames.SlackMinIntervalMs] = "20",
            [SettingNames.SlackTimeoutMs] = "2000",
            [SettingNames.SlackRetryBaseMs] = "50",
            // One post per escalation, so tests about pacing, faults and crashes can count posts;
            // the digest tests set their own threshold (reference §5.2: a large one keeps single messages).
            [SettingNames.SlackDigestThreshold] = "1000000",
        };
        if (slack is null)
        {
            env[SettingNames.SlackDelivery] = "console";
        }
        else
        {
            env[SettingNames.SlackWebhookUrl] = slack.WebhookUrl("global").AbsoluteUri;
        }
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }
        return env;
    }

    public static EscalationSettings Read(IReadOnlyDictionary<string, string> env) =>
        SettingsReader.Read(name => env.TryGetValue(name, out var v) ? v : null);
}
