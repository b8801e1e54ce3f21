using System.CommandLine;
using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Slack.Transports;
using EscalationFunctions.Engine.Untrusted;
using EscalationFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// <c>slack-test [ROUTE]</c>: posts one test message to where ROUTE's pages go, through the worker's
/// own transport (webhook, or the Web API in app mode, with the same timeout and answer handling), and
/// prints Slack's answer. Touches no database. Exit 0 when Slack took it, 1 otherwise.
/// </summary>
public static class SlackTestCommand
{
    public static Command Create()
    {
        var route = new Argument<string?>("route") { Description = "The route whose webhook or channel to test (default: the global one).", Arity = ArgumentArity.ZeroOrOne };
        route.Validators.Add(result =>
        {
            var value = result.Tokens.Count == 1 ? result.Tokens[0].Value : null;
            if (value is not null && (value.Length is 0 or > 200 || value.Any(char.IsControl) || value.StartsWith('-')))
            {
                result.AddError(CliOptions.BadValue("<route>", value, "a route name of 1 to 200 characters, not starting with '-', without control characters"));
            }
        });
        var test = new Command("slack-test", "Post one test message where ROUTE's pages go (its webhook, or its channel in Slack app mode) and " +
                                             "print Slack's answer (touches no database).") { route };
        test.SetAction((parsed, ct) => RunAsync(parsed.GetValue(route), ct));
        return test;
    }

    private static async Task<int> RunAsync(string? route, CancellationToken ct)
    {
        var startup = await StartupConfiguration.LoadOrReportAsync(Environment.GetEnvironmentVariable, Console.Error);
        if (startup is null)
        {
            return ExitCodes.BadConfiguration;
        }
        var services = new ServiceCollection().AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        services.AddEscalationHosting(startup);
        await using var provider = services.BuildServiceProvider();
        var settings = startup.Settings;
        var name = route ?? "(any route without its own)";
        var routeName = route ?? "";

        PlannedLane lane;
        SlackAppTarget? target = null;
        if (settings.Slack.App is { } app)
        {
            var channel = app.Channels.For(routeName);
            lane = new PlannedLane(new SlackWebhook(null, channel is null ? "none" : $"channel {channel}"),
                channel is null ? WebhookId.None : WebhookId.OfChannel(channel), [routeName]) { Channel = channel };
            target = channel is null ? null : new SlackAppTarget(channel);
        }
        else
        {
            var webhook = (await provider.GetRequiredService<SlackWebhookDirectory>().CurrentAsync(ct)).For(routeName);
            lane = new PlannedLane(webhook, WebhookId.Of(webhook), [routeName]);
        }

        var dedupKey = $"slack-test-{Guid.NewGuid():N}";
        var text = $"Test message from EscalationFunctions' slack-test command for route {SlackText.Mrkdwn(name, 200)}: pages of this route come here. Nothing needs doing.";
        var json = JsonSerializer.Serialize(new
        {
            text,
            blocks = new object[] { BlockKit.Section($":white_check_mark: {text}") },
            dedup_key = dedupKey,
        });
        var message = new SlackMessage([new OutboxNotification(0, dedupKey, "slack-test", 0, routeName, "", "slack-test", 1)], dedupKey, json) { App = target };
        var result = await provider.GetRequiredService<SlackTransports>().For(lane).PostAsync(lane, message, ct);

        Console.WriteLine($"slack-test: route {UntrustedText.Escape(name, 200)} goes to the {lane.Name}; Slack answered: " + result.Status switch
        {
            SlackPostStatus.Delivered => "posted" + (result.Ts is { } ts ? $" (ts {ts})" : ""),
            SlackPostStatus.RateLimited => $"rate-limited, try again in {result.RetryAfter?.TotalSeconds ?? 1:F0} s ({result.Error})",
            SlackPostStatus.AuthFailed => $"the token is refused ({result.Error}): fix or rotate SLACK_BOT_TOKEN",
            SlackPostStatus.Refused => $"refused for good ({result.Error})",
            _ => $"failed, a retry could work ({result.Error})",
        });
        return result.Status == SlackPostStatus.Delivered ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
