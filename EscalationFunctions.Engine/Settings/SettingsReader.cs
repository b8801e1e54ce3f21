using System.Globalization;
using Cronos;
using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Messages;
using Npgsql;

namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Parses and validates every setting at start-up. A bad value becomes one line in a
/// <see cref="SettingsException"/>; a bad per-route webhook only becomes a warning (that route falls
/// back to <c>SLACK_WEBHOOK_URL</c>, reference §2).
/// </summary>
public static class SettingsReader
{
    public static EscalationSettings Read(Func<string, string?> lookup) => Read(lookup, out _);

    /// <param name="requireTickSchedule">The Functions host needs <c>ESC_TICK_SCHEDULE</c> for its timer; the plain server does not.</param>
    public static EscalationSettings Read(Func<string, string?> lookup, out IReadOnlyList<string> warnings, bool requireTickSchedule = false)
    {
        var p = new Parser(lookup, requireTickSchedule);
        var settings = p.ReadAll();
        warnings = p.Warnings;
        if (p.Problems.Count > 0)
        {
            throw new SettingsException(p.Problems);
        }
        return settings;
    }

    /// <summary>Collects problems instead of stopping at the first, so one run shows every bad setting.</summary>
    private sealed class Parser(Func<string, string?> lookup, bool requireTickSchedule)
    {
        public List<string> Problems { get; } = [];
        public List<string> Warnings { get; } = [];

        public EscalationSettings ReadAll()
        {
            var gates = new GateSettings(
                WorkerEnabled: Bool(SettingNames.WorkerEnabled, true),
                Pause: Pause(),
                V1Enabled: Bool(SettingNames.V1, true),
                CanaryPercent: Int(SettingNames.CanaryPercent, 100, 0, 100),
                DryRun: Bool(SettingNames.DryRun, false));

            var sla = new SlaSettings(
                CriticalAckMinutes: Int(SettingNames.CriticalAckMinutes, 5, 1, 10_080),
                WarningAckMinutes: Int(SettingNames.WarningAckMinutes, 15, 1, 10_080),
                SnoozeMinutes: Int(SettingNames.SnoozeMinutes, 30, 0, 10_080),
                MaxLevel: Int(SettingNames.MaxLevel, 7, 1, 1_000));

            var period = TimeSpan.FromMilliseconds(Int(SettingNames.TickMs, 60_000, 100, 86_400_000));
            var tick = new TickSettings(
                Period: period,
                BatchSize: Int(SettingNames.TickBatchSize, 1_000, 1, 100_000),
                Schedule: TickSchedule(period));

            return new EscalationSettings
            {
                Gates = gates,
                Sla = sla,
                Tick = tick,
                Slack = Slack(sla.MaxLevel),
                Ops = Ops(),
                Connections = Connections(),
            };
        }

        private SlackSettings Slack(int maxLevel)
        {
            var delivery = Enum(SettingNames.SlackDelivery, SlackDeliveryMode.Webhook);
            var appBaseUrl = Url(SettingNames.AppBaseUrl, required: true);
            var problemsBefore = Problems.Count;
            var webhooks = SlackWebhookTable.Parse(Raw(SettingNames.SlackWebhookUrl), Raw(SettingNames.SlackRouteWebhooks), Problems, Warnings);
            var webhookProblems = Problems.Count > problemsBefore;
            var app = SlackApp(delivery, webhooks);
            if (app is null && delivery == SlackDeliveryMode.Webhook && webhooks.Routes.Count == 0 && !Has(SettingNames.SlackWebhookUrl) && !webhookProblems)
            {
                Problems.Add($"{SettingNames.SlackWebhookUrl} is not set: expected the Slack incoming webhook URL " +
                             $"(or per-route webhooks in {SettingNames.SlackRouteWebhooks}, or {SettingNames.SlackDelivery}=console to print messages instead).");
            }

            return new SlackSettings
            {
                Delivery = delivery,
                AppBaseUrl = appBaseUrl ?? new Uri("https://invalid.example"),
                Webhooks = webhooks,
                Timeout = TimeSpan.FromMilliseconds(Int(SettingNames.SlackTimeoutMs, 10_000, 100, 120_000)),
                MinInterval = TimeSpan.FromMilliseconds(Int(SettingNames.SlackMinIntervalMs, 1_000, 0, 60_000)),
                MaxAttempts = Int(SettingNames.SlackMaxAttempts, 12, 1, 100),
                RetryBase = TimeSpan.FromMilliseconds(Int(SettingNames.SlackRetryBaseMs, 5_000, 10, 3_600_000)),
                DigestThreshold = Int(SettingNames.SlackDigestThreshold, 5, 1, int.MaxValue),
                DigestMax = Int(SettingNames.SlackDigestMax, SlackSettings.DefaultDigestMax, 2, SlackDigestBuilder.MaxMembers),
                LevelMentions = LevelMentions(maxLevel),
                SigningSecrets = SigningSecrets(),
                ResponseUrlHosts = ResponseUrlHosts(),
                App = app,
            };
        }

        /// <summary>
        /// Slack app mode (reference §10) when <c>SLACK_BOT_TOKEN</c> is set, or, for a local rehearsal, when
        /// <c>SLACK_DELIVERY=console</c> and channels are set (messages and rewrites are printed). Every
        /// route must have a channel: its own, or <c>SLACK_CHANNEL</c>.
        /// </summary>
        private SlackAppSettings? SlackApp(SlackDeliveryMode delivery, SlackWebhookTable webhooks)
        {
            var token = Raw(SettingNames.SlackBotToken);
            // The channel settings count as set when they name a channel, or try to (an empty object, the
            // example settings' value, names none); their problems matter only in app mode.
            var channelProblems = new List<string>();
            var channels = SlackChannelTable.Parse(Raw(SettingNames.SlackChannel), Raw(SettingNames.SlackRouteChannels), channelProblems);
            var rehearsal = delivery == SlackDeliveryMode.Console && (channels.Global is not null || channels.Routes.Count > 0 || channelProblems.Count > 0);
            if (string.IsNullOrWhiteSpace(token) && !rehearsal)
            {
                return null;
            }
            if (!string.IsNullOrWhiteSpace(token) && !SlackAppSettings.LooksLikeBotToken(token))
            {
                Problems.Add($"{SettingNames.SlackBotToken}={Shown(SettingNames.SlackBotToken, token)} is invalid: expected the app's bot token, 'xoxb-...'.");
            }
            Problems.AddRange(channelProblems);
            if (channels.Global is null && !Has(SettingNames.SlackChannel)) // a bad one is its own line
            {
                var missing = webhooks.Routes.Keys.Where(r => !channels.Routes.ContainsKey(r)).Order(StringComparer.Ordinal).ToList();
                if (channels.Routes.Count == 0)
                {
                    Problems.Add($"{SettingNames.SlackChannel} is not set: Slack app mode ({SettingNames.SlackBotToken} is set) needs the channel id " +
                                 $"('C...' or 'G...') pages go to, or one per route in {SettingNames.SlackRouteChannels}.");
                }
                else if (missing.Count > 0)
                {
                    Problems.Add($"{SettingNames.SlackChannel} is not set and {SettingNames.SlackRouteChannels} has no channel for route(s) " +
                                 $"{string.Join(", ", missing.Select(r => $"'{Untrusted.UntrustedText.Escape(r)}'"))} named in {SettingNames.SlackRouteWebhooks}: " +
                                 $"set {SettingNames.SlackChannel} or give each route a channel.");
                }
            }
            if (!string.IsNullOrWhiteSpace(token) && (Has(SettingNames.SlackWebhookUrl) || Has(SettingNames.SlackRouteWebhooks)))
            {
                Warnings.Add($"{SettingNames.SlackBotToken} is set, so Slack app mode posts to channels: {SettingNames.SlackWebhookUrl} and " +
                             $"{SettingNames.SlackRouteWebhooks} are unused (remove them, or remove the token to go back to webhooks).");
            }
            return new SlackAppSettings
            {
                Channels = channels,
                ApiBaseUrl = Url(SettingNames.SlackApiBaseUrl, required: false) ?? SlackAppSettings.DefaultApiBaseUrl,
                Rehearsal = string.IsNullOrWhiteSpace(token),
            };
        }

        private IReadOnlyList<string> SigningSecrets()
        {
            var raw = Raw(SettingNames.SlackSigningSecret);
            if (SecretFormats.TryParseSlackSigningSecrets(raw, out var secrets, out var problem))
            {
                return secrets;
            }
            Problems.Add($"{SettingNames.SlackSigningSecret}={Shown(SettingNames.SlackSigningSecret, raw!)} is invalid: {problem}.");
            return [];
        }

        private ResponseUrlHosts ResponseUrlHosts()
        {
            var raw = Raw(SettingNames.SlackResponseUrlHosts);
            if (Settings.ResponseUrlHosts.TryParse(raw, out var hosts, out var problem))
            {
                return hosts;
            }
            var line = $"{SettingNames.SlackResponseUrlHosts}='{raw!.Trim()}' is invalid: {problem}.";
            Problems.Add(string.Concat(line.Select(c => char.IsControl(c) ? ' ' : c)));
            return Settings.ResponseUrlHosts.Default;
        }

        private SlackLevelMentions LevelMentions(int maxLevel)
        {
            var raw = Raw(SettingNames.SlackLevelMentions);
            if (SlackLevelMentions.TryParse(raw, maxLevel, out var mentions, out var problem))
            {
                return mentions;
            }
            // JSON may span lines and hold control characters; the error stays one line.
            var line = $"{SettingNames.SlackLevelMentions}='{raw!.Trim()}' is invalid: {problem}." +
                       JsonSettingHint.For(SettingNames.SlackLevelMentions, raw, """{"*":{"3":"<!here>"}}""");
            Problems.Add(string.Concat(line.Select(c => char.IsControl(c) ? ' ' : c)));
            return SlackLevelMentions.None;
        }

        private OpsSettings Ops()
        {
            var rawSecrets = Raw(SettingNames.OpsHmacSecret);
            if (!SecretFormats.TryParseHmacKeys(rawSecrets, out var secrets, out var secretProblem))
            {
                Problems.Add($"{SettingNames.OpsHmacSecret}={Shown(SettingNames.OpsHmacSecret, rawSecrets!)} is invalid: {secretProblem}.");
            }
            var role = Text(SettingNames.OpsAdminRole, "ops_admin");
            if (role.Any(c => char.IsWhiteSpace(c) || c == ','))
            {
                Problems.Add($"{SettingNames.OpsAdminRole}='{role}' is invalid: expected one role name without spaces or commas, e.g. 'ops_admin'.");
            }
            return new OpsSettings
            {
                HmacSecrets = secrets,
                AdminRole = role,
                RateLimitPerMinute = Int(SettingNames.OpsRateLimitPerMinute, 10, 1, 100_000),
                TrustPrincipalHeader = Bool(SettingNames.WebsiteAuthEnabled, false) | Bool(SettingNames.OpsTrustPrincipalHeader, false),
                FunctionKeys = List(SettingNames.OpsFunctionKey, minLength: 16, maxItems: 10,
                    "expected one or more comma-separated keys of at least 16 characters"),
            };
        }

        private ConnectionSettings Connections()
        {
            var postgres = Raw(SettingNames.PostgresConnectionString);
            if (string.IsNullOrWhiteSpace(postgres))
            {
                Problems.Add($"{SettingNames.PostgresConnectionString} is not set: expected an Npgsql connection string such as 'Host=...;Database=...;Username=...'.");
            }
            else
            {
                try
                {
                    var builder = new NpgsqlConnectionStringBuilder(postgres);
                    if (string.IsNullOrWhiteSpace(builder.Host))
                    {
                        Problems.Add($"{SettingNames.PostgresConnectionString}={Shown(SettingNames.PostgresConnectionString, postgres)} is invalid: it names no Host.");
                    }
                }
                catch (ArgumentException)
                {
                    Problems.Add($"{SettingNames.PostgresConnectionString}={Shown(SettingNames.PostgresConnectionString, postgres)} is invalid: expected an Npgsql connection string such as 'Host=...;Database=...;Username=...'.");
                }
            }

            var auth = Enum(SettingNames.PostgresAuth, PostgresAuthentication.Password);
            if (auth == PostgresAuthentication.Entra)
            {
                CheckEntraConnectionString(postgres);
            }

            var keyVault = Url(SettingNames.KeyVaultUri, required: false);
            var appInsights = Raw(SettingNames.ApplicationInsightsConnectionString);
            if (!string.IsNullOrWhiteSpace(appInsights) &&
                !appInsights.Contains("InstrumentationKey=", StringComparison.OrdinalIgnoreCase))
            {
                Problems.Add($"{SettingNames.ApplicationInsightsConnectionString}={Shown(SettingNames.ApplicationInsightsConnectionString, appInsights)} is invalid: expected 'InstrumentationKey=...;IngestionEndpoint=...'.");
            }

            return new ConnectionSettings
            {
                PostgresConnectionString = postgres ?? "",
                PostgresAuth = auth,
                KeyVaultUri = keyVault,
                KeyVaultCacheTtl = TimeSpan.FromSeconds(Int(SettingNames.KeyVaultCacheTtlSeconds, 300, 10, 86_400)),
                ApplicationInsightsConnectionString = string.IsNullOrWhiteSpace(appInsights) ? null : appInsights.Trim(),
            };
        }

        /// <summary>
        /// With Entra ID the token is the password and the user is the Entra principal's name, so
        /// the connection string must name a user and must not carry a password of its own.
        /// </summary>
        private void CheckEntraConnectionString(string? postgres)
        {
            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new NpgsqlConnectionStringBuilder(postgres);
            }
            catch (ArgumentException)
            {
                return; // reported above
            }
            if (!string.IsNullOrEmpty(builder.Password))
            {
                Problems.Add($"{SettingNames.PostgresConnectionString} holds a Password, but {SettingNames.PostgresAuth}=entra signs in with " +
                             "Entra ID access tokens: remove the Password (or set POSTGRES_AUTH=password).");
            }
            if (string.IsNullOrWhiteSpace(builder.Username))
            {
                Problems.Add($"{SettingNames.PostgresConnectionString} names no Username, but {SettingNames.PostgresAuth}=entra needs one: " +
                             "the name of the Entra principal (the app's managed identity) as registered in PostgreSQL.");
            }
        }

        /// <summary>
        /// The Functions timer's NCRONTAB (six fields, seconds first). It must fire at a steady
        /// ESC_TICK_MS, because the lag alerts are thresholds on that period.
        /// </summary>
        private string? TickSchedule(TimeSpan period)
        {
            var raw = Raw(SettingNames.TickSchedule)?.Trim();
            if (string.IsNullOrEmpty(raw))
            {
                if (requireTickSchedule)
                {
                    Problems.Add($"{SettingNames.TickSchedule} is not set: expected the timer's NCRONTAB schedule agreeing with {SettingNames.TickMs}, e.g. '0 */1 * * * *' for 60000.");
                }
                return null;
            }
            if (!CronExpression.TryParse(raw, CronFormat.IncludeSeconds, out var cron))
            {
                Problems.Add($"{SettingNames.TickSchedule}='{raw}' is invalid: expected a 6-field NCRONTAB expression (second minute hour day month day-of-week), e.g. '0 */1 * * * *'.");
                return null;
            }
            var from = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
            var fires = cron.GetOccurrences(from, from.AddDays(8), TimeZoneInfo.Utc).Take(50).ToList();
            var gaps = fires.Zip(fires.Skip(1), (a, b) => b - a).Distinct().ToList();
            if (gaps.Count != 1 || gaps[0] != period)
            {
                var every = gaps.Count == 1 ? $"fires every {gaps[0].TotalMilliseconds:F0} ms" : "does not fire at a steady interval";
                Problems.Add($"{SettingNames.TickSchedule}='{raw}' is invalid: it {every}, but {SettingNames.TickMs}={period.TotalMilliseconds:F0}; " +
                             "expected a schedule that fires every ESC_TICK_MS (the lag alerts are based on it).");
                return null;
            }
            return raw;
        }

        private PauseSchedule? Pause()
        {
            var cronText = Raw(SettingNames.PauseCron);
            var minutes = Int(SettingNames.PauseDurationMinutes, 60, 1, 10_080);
            var zoneId = Text(SettingNames.PauseTimeZone, "UTC");
            TimeZoneInfo? zone = null;
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                Problems.Add($"{SettingNames.PauseTimeZone}='{zoneId}' is invalid: expected an IANA time zone such as 'UTC' or 'Europe/Berlin'.");
            }

            if (string.IsNullOrWhiteSpace(cronText))
            {
                return null;
            }
            if (!CronExpression.TryParse(cronText.Trim(), CronFormat.Standard, out var cron))
            {
                Problems.Add($"{SettingNames.PauseCron}='{cronText}' is invalid: expected a 5-field cron expression " +
                             "(minute hour day-of-month month day-of-week), e.g. '0 2 * * SAT'.");
                return null;
            }
            return zone is null ? null : new PauseSchedule(cron, cronText.Trim(), TimeSpan.FromMinutes(minutes), zone);
        }

        // ---- primitive readers -------------------------------------------------------------

        private string? Raw(string name) => lookup(name);

        private bool Has(string name) => !string.IsNullOrWhiteSpace(lookup(name));

        private string Shown(string name, string value) =>
            SettingNames.Secrets.Contains(name) ? SecretMask.Mask(value) : $"'{value}'";

        private bool Bool(string name, bool fallback)
        {
            var raw = Raw(name);
            if (string.IsNullOrWhiteSpace(raw))
            {
                return fallback;
            }
            if (bool.TryParse(raw.Trim(), out var value))
            {
                return value;
            }
            Problems.Add($"{name}={Shown(name, raw)} is invalid: expected 'true' or 'false'.");
            return fallback;
        }

        private int Int(string name, int fallback, int min, int max)
        {
            var raw = Raw(name);
            if (string.IsNullOrWhiteSpace(raw))
            {
                return fallback;
            }
            if (int.TryParse(raw.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }
            Problems.Add($"{name}={Shown(name, raw)} is invalid: expected a whole number from {min} to {max}.");
            return fallback;
        }

        private string Text(string name, string fallback)
        {
            var raw = Raw(name);
            return string.IsNullOrWhiteSpace(raw) ? fallback : raw.Trim();
        }

        private T Enum<T>(string name, T fallback) where T : struct, System.Enum
        {
            var raw = Raw(name);
            if (string.IsNullOrWhiteSpace(raw))
            {
                return fallback;
            }
            if (System.Enum.TryParse<T>(raw.Trim(), ignoreCase: true, out var value) && System.Enum.IsDefined(value))
            {
                return value;
            }
            var allowed = string.Join("' or '", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
            Problems.Add($"{name}={Shown(name, raw)} is invalid: expected '{allowed}'.");
            return fallback;
        }

        private Uri? Url(string name, bool required)
        {
            var raw = Raw(name);
            if (string.IsNullOrWhiteSpace(raw))
            {
                if (required)
                {
                    Problems.Add($"{name} is not set: expected an absolute https URL (http only for localhost).");
                }
                return null;
            }
            if (WebUrl.TryParse(raw, out var uri, out var why))
            {
                return uri;
            }
            Problems.Add($"{name}={Shown(name, raw)} is invalid: {why}.");
            return null;
        }

        private IReadOnlyList<string> List(string name, int minLength, int maxItems, string expected)
        {
            var raw = Raw(name);
            if (string.IsNullOrWhiteSpace(raw))
            {
                return [];
            }
            var items = raw.Split(',').Select(s => s.Trim()).ToArray();
            if (items.Length > maxItems || items.Any(i => i.Length < minLength))
            {
                Problems.Add($"{name}={Shown(name, raw)} is invalid: {expected}.");
                return [];
            }
            return items;
        }
    }
}
