using EscalationFunctions.Engine.Runtime;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Tests.Slack;

/// <summary>Which lanes open, how a storm is told apart, how long leases last (pure code).</summary>
[Lane(TestLane.Unit)]
public class LanePlannerTests
{
    private static readonly Uri Shared = new("https://hooks.slack.com/services/T0/B0/shared");
    private static readonly Uri Own = new("https://hooks.slack.com/services/T0/B1/own");

    private static SlackWebhookTable Table() => new(Shared, new Dictionary<string, Uri> { ["payments"] = Own });

    private static IEnumerable<WaitingDestination> Pages(params string[] routes) => routes.Select(r => new WaitingDestination(OutgoingKind.Page, r, null));

    private static WaitingDestination Answer(string responseUrl) => new(OutgoingKind.ClickAnswer, null, responseUrl);

    [Fact]
    public void Routes_that_share_a_webhook_share_one_lane_and_its_pace()
    {
        var lanes = LanePlanner.Plan(Pages("web", "payments", "db", "default"), Table(), _ => false);

        Assert.Equal(2, lanes.Count);
        var shared = Assert.Single(lanes, l => l.Webhook.Url == Shared);
        Assert.Equal(["db", "default", "web"], shared.Routes);
        Assert.Equal(["payments"], Assert.Single(lanes, l => l.Webhook.Url == Own).Routes);
    }

    [Fact]
    public void A_webhook_whose_lane_runs_here_gets_no_second_lane()
    {
        var lanes = LanePlanner.Plan(Pages("web", "payments"), Table(), id => id == WebhookId.Of(new SlackWebhook(Own, "x")));
        Assert.Equal(Shared, Assert.Single(lanes).Webhook.Url);
    }

    [Fact]
    public void Each_click_answers_response_url_is_a_lane_of_its_own_beside_the_webhooks_and_never_shares_a_webhooks_id()
    {
        // The same URL as the shared webhook: still its own lane, so an answer never takes a webhook's pace or lease.
        var first = "https://hooks.slack.com/actions/T0/1/abc";
        var lanes = LanePlanner.Plan([.. Pages("web"), Answer(first), Answer("https://hooks.slack.com/actions/T0/2/def"), Answer(first), Answer(Shared.AbsoluteUri)],
            Table(), _ => false);

        Assert.Equal(4, lanes.Count);
        Assert.Equal(4, lanes.Select(l => l.WebhookId).Distinct().Count());
        var answers = lanes.Where(l => l.Kind == OutgoingKind.ClickAnswer).ToList();
        Assert.Equal(3, answers.Count);
        Assert.All(answers, a => Assert.True(a.IsOneOff));
        Assert.All(answers, a => Assert.Equal("click's response_url", a.Name));
        Assert.All(answers, a => Assert.Empty(a.Routes));
        Assert.All(answers, a => Assert.DoesNotContain("hooks.slack.com", a.WebhookId));
        Assert.Equal("global webhook", Assert.Single(lanes, l => l.Kind == OutgoingKind.Page).Name);
    }

    [Fact]
    public void A_stored_destination_that_is_no_url_still_gets_a_lane_whose_post_is_refused()
    {
        var lane = Assert.Single(LanePlanner.Plan([Answer("not a url \u0000")], Table(), _ => false));
        Assert.Null(lane.Webhook.Url);
        Assert.Equal("not a url \u0000", lane.Destination);
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
    [InlineData(int.MaxValue, 20, ClaimPeek.Max)]
    public void A_lane_counts_just_enough_waiting_messages_to_see_a_storm(int threshold, int digestMax, int expected) =>
        Assert.Equal(expected, ClaimPeek.For(threshold, digestMax));

    [Fact]
    public void A_dead_holders_webhook_is_free_within_10_s_and_a_live_holder_renews_four_times_per_lease()
    {
        var lease = DeliveryLease.Default;
        Assert.True(lease.Length + NotificationSenderService.PollInterval <= TimeSpan.FromSeconds(10), $"lease {lease.Length}");
        Assert.Equal(lease.Length / 4, lease.RenewEvery);
    }
}
