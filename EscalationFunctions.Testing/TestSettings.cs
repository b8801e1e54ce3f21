using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Testing;

/// <summary>
/// The one place tests and benchmarks build settings, as the environment variables a real
/// deployment would set. In-process tests parse them with the same <see cref="SettingsReader"/> the
/// hosts use; child processes get them as their environment.
/// </summary>
public static class TestSettings
{
    public const string AppBaseUrl = "https://escalation.example.test";

    /// <summary>
    /// Settings as a deployment sets them: only the connection string, the base URL and Slack's
    /// destinations (the console when <paramref name="overrides"/> names none); everything else
    /// (batch size, Slack pacing, timeouts) keeps the engine's default.
    /// </summary>
    public static Dictionary<string, string> Deployment(string connectionString, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var env = new Dictionary<string, string>
        {
            [SettingNames.PostgresConnectionString] = connectionString,
            [SettingNames.AppBaseUrl] = AppBaseUrl,
        };
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }
        if (!env.ContainsKey(SettingNames.SlackWebhookUrl) && !env.ContainsKey(SettingNames.SlackRouteWebhooks) && !env.ContainsKey(SettingNames.SlackBotToken))
        {
            env[SettingNames.SlackDelivery] = "console";
        }
        return env;
    }

    /// <summary>Settings for a worker on <paramref name="db"/>; Slack goes to the stand-in when one is given.</summary>
    public static Dictionary<string, string> Environment(TestDatabase db, SlackStandIn? slack = null, Dictionary<string, string>? overrides = null)
    {
        var env = Deployment(db.ConnectionString, new Dictionary<string, string>
        {
            [SettingNames.TickMs] = "60000",
            // Tests space posts 20 ms apart instead of Slack's 1 s; the pacing test sets its own.
            [SettingNames.SlackMinIntervalMs] = "20",
            [SettingNames.SlackTimeoutMs] = "2000",
            [SettingNames.SlackRetryBaseMs] = "50",
            // One post per escalation, so tests about pacing, faults and crashes can count posts;
            // the digest tests set their own threshold (reference §5.2: a large one keeps single messages).
            [SettingNames.SlackDigestThreshold] = "1000000",
        });
        if (slack is not null)
        {
            env.Remove(SettingNames.SlackDelivery);
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
