using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Support;

/// <summary>A test class with a database of its own (one per class), emptied before each test.</summary>
public abstract class DatabaseTest(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    protected TestDatabase Db => fixture.Db;

    public virtual Task InitializeAsync() => Db.ResetAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>A <see cref="DatabaseTest"/> with a fresh Slack stand-in for each test.</summary>
public abstract class SlackTest(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    protected SlackStandIn Slack { get; private set; } = null!;

    /// <summary>Worker settings where each of <paramref name="routes"/> has its own webhook on the stand-in, named after it.</summary>
    protected Dictionary<string, string> SettingsWithWebhooks(IEnumerable<string> routes, Dictionary<string, string>? overrides = null)
    {
        var env = TestSettings.Environment(Db, Slack, overrides);
        env[SettingNames.SlackRouteWebhooks] = JsonSerializer.Serialize(routes.ToDictionary(r => r, r => Slack.WebhookUrl(r).AbsoluteUri));
        return env;
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Slack = await SlackStandIn.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await Slack.DisposeAsync();
        await base.DisposeAsync();
    }
}
