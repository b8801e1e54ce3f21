using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Testing.FunctionsHost;
using EscalationFunctions.Tests.Ops;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Functions;

/// <summary>
/// One compiled Functions worker for a whole test class (starting one takes about a second): its
/// own database, the Slack stand-in as its global webhook, signing as in the ops tests, and the
/// timer schedule of the example settings. Tests empty the database between them.
/// </summary>
public sealed class FunctionsWorkerFixture : IAsyncLifetime
{
    public const string TickSchedule = "0 */5 * * * *";

    public TestDatabase Db { get; private set; } = null!;
    public SlackStandIn Slack { get; private set; } = null!;
    public FunctionsHostStandIn Host { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync(nameof(FunctionsWorkerFixture));
        Slack = await SlackStandIn.StartAsync();
        Host = await FunctionsHostStandIn.StartAsync(Settings(Db, Slack));
        Client = new HttpClient { BaseAddress = Host.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The app settings both hosts get in the end-to-end tests.</summary>
    public static Dictionary<string, string> Settings(TestDatabase db, SlackStandIn slack, Dictionary<string, string>? overrides = null)
    {
        var env = OpsTestSettings.For(db, new()
        {
            [SettingNames.SlackWebhookUrl] = slack.WebhookUrl("global").AbsoluteUri,
            [SettingNames.TickSchedule] = TickSchedule,
            [SettingNames.TickMs] = "300000",
            [SettingNames.OpsRateLimitPerMinute] = "1000",
        });
        env.Remove(SettingNames.SlackDelivery);
        foreach (var (name, value) in overrides ?? [])
        {
            env[name] = value;
        }
        return env;
    }

    /// <summary>The request with the host's function key in the <c>x-functions-key</c> header.</summary>
    public HttpRequestMessage WithKey(HttpRequestMessage request)
    {
        request.Headers.Add("x-functions-key", Host.FunctionKey);
        return request;
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        if (Slack is not null)
        {
            await Slack.DisposeAsync();
        }
        if (Db is not null)
        {
            await Db.DisposeAsync();
        }
    }
}
