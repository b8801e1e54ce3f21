using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Support;

/// <summary>A <see cref="DatabaseTest"/> in Slack app mode (reference §10), with a fresh Web API stand-in for each test.</summary>
public abstract class SlackAppTest(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    /// <summary>The channel of every route not in <see cref="AppSettings"/>'s <c>routeChannels</c>.</summary>
    protected const string GlobalChannel = "C0GLOBAL";

    protected SlackWebApiStandIn Api { get; private set; } = null!;

    /// <summary>
    /// Worker settings in app mode: the stand-in's API and token, <see cref="GlobalChannel"/> for every route but those in
    /// <paramref name="routeChannels"/> (each channel is created on the stand-in). The stand-in's pace is the tests'
    /// quick one (posts 20 ms apart), unless a test sets its own.
    /// </summary>
    protected Dictionary<string, string> AppSettings(Dictionary<string, string>? routeChannels = null, Dictionary<string, string>? overrides = null)
    {
        var env = TestSettings.Environment(Db);
        env.Remove(SettingNames.SlackDelivery);
        env[SettingNames.SlackBotToken] = SlackWebApiStandIn.DefaultToken;
        env[SettingNames.SlackApiBaseUrl] = Api.ApiBaseUrl.AbsoluteUri;
        env[SettingNames.SlackChannel] = GlobalChannel;
        Api.AddChannel(GlobalChannel);
        if (routeChannels is not null)
        {
            env[SettingNames.SlackRouteChannels] = JsonSerializer.Serialize(routeChannels);
            foreach (var channel in routeChannels.Values.Distinct())
            {
                Api.AddChannel(channel);
            }
        }
        foreach (var (name, value) in overrides ?? [])
        {
            env[name] = value;
        }
        return env;
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Api = await SlackWebApiStandIn.StartAsync();
        Api.EnforcedInterval = TimeSpan.FromMilliseconds(20);
    }

    public override async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await base.DisposeAsync();
    }
}
