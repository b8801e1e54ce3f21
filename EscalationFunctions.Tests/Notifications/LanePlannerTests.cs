using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Notifications;

namespace EscalationFunctions.Tests.Notifications;

/// <summary>Which lanes open, how a storm is told apart, how long leases last (pure code).</summary>
public class LanePlannerTests
{
    private static readonly Uri Shared = new("https://hooks.slack.com/services/T0/B0/shared");
    private static readonly Uri Own = new("https://hooks.slack.com/services/T0/B1/own");

    private static SlackWebhookTable Table() => new(Shared, new Dictionary<string, Uri> { ["payments"] = Own });

    [Fact]
    public void Routes_that_share_a_webhook_share_one_lane_and_its_pace()
    {
        var lanes = LanePlanner.Plan(["web", "payments", "db", "default"], Table(), _ => false);

        Assert.Equal(2, lanes.Count);
        var shared = Assert.Single(lanes, l => l.Webhook.Url == Shared);
        Assert.Equal(["db", "default", "web"], shared.Routes);
        Assert.Equal(["payments"], Assert.Single(lanes, l => l.Webhook.Url == Own).Routes);
    }

    [Fact]
    public void A_webhook_whose_lane_runs_here_gets_no_second_lane()
    {
        var lanes = LanePlanner.Plan(["web", "payments"], Table(), id => id == WebhookId.Of(new SlackWebhook(Own, "x")));
        Assert.Equal(Shared, Assert.Single(lanes).Webhook.Url);
    }

    [Fact]
    public void Webhook_ids_are_hashes_that_never_contain_the_secret_url()
    {
        var id = WebhookId.Of(new SlackWebhook(Own, "route 'payments'"));
        Assert.Matches("^[0-9a-f]{64}$", id);
        Assert.DoesNotContain("hooks.slack.com", id);
        Assert.NotEqual(id, WebhookId.Of(new SlackWebhook(Shared, "global")));
        Assert.Equal(WebhookId.None, WebhookId.Of(new SlackWebhook(null, "none")));
    }

    [Theory]
    [InlineData(5, 20, 20)]
    [InlineData(30, 20, 31)]
    [InlineData(int.MaxValue, 20, LanePlanner.MaxPeek)]
    public void A_lane_counts_just_enough_waiting_messages_to_see_a_storm(int threshold, int digestMax, int expected) =>
        Assert.Equal(expected, LanePlanner.Peek(threshold, digestMax));

    [Theory]
    [InlineData(100, 15)]
    [InlineData(10_000, 25)]
    [InlineData(120_000, 245)]
    public void A_lease_outlasts_two_whole_posts_and_is_renewed_three_times_per_lease(int timeoutMs, double expectedSeconds)
    {
        var lease = DeliveryLease.For(new SlackSettings
        {
            Delivery = SlackDeliveryMode.Webhook,
            AppBaseUrl = new Uri("https://escalation.example.test"),
            Webhooks = new SlackWebhookTable(null, new Dictionary<string, Uri>()),
            Timeout = TimeSpan.FromMilliseconds(timeoutMs),
            MinInterval = TimeSpan.FromSeconds(1),
            MaxAttempts = 12,
            RetryBase = TimeSpan.FromSeconds(5),
        });
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), lease.Length);
        Assert.Equal(lease.Length / 3, lease.RenewEvery);
    }
}
