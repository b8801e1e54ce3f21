using System.Text;
using EscalationFunctions.Engine.Slack.Clicks;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Slack.Clicks;

/// <summary>The <c>block_actions</c> payload of reference §9 step 2: what is read, and the class of bodies that are refused.</summary>
[Lane(TestLane.Unit)]
public class SlackInteractionParseTests
{
    private static readonly Uri ResponseUrl = new("https://hooks.slack.com/actions/T0CAG/1/abc");

    [Fact]
    public void A_click_on_Acknowledge_reads_user_key_and_response_url()
    {
        var body = SlackClick.FormBody(SlackClick.Payload("payments/INC 42 & more", ResponseUrl));

        Assert.True(SlackInteraction.TryParse(body, out var click, out var problem), problem);
        Assert.Equal(SlackClick.UserId, click.UserId);
        Assert.Equal("alice", click.UserName);
        Assert.True(click.IsAcknowledge);
        Assert.Equal("payments/INC 42 & more", click.Value);
        Assert.Equal(ResponseUrl.AbsoluteUri, click.ResponseUrl);
    }

    [Fact]
    public void Plus_in_the_form_is_a_space_as_browsers_and_Slack_encode_it()
    {
        var body = Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(SlackClick.Payload("INC-1", ResponseUrl)).Replace("%20", "+"));
        Assert.True(SlackInteraction.TryParse(body, out _, out var problem), problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("payload=")]
    [InlineData("token=abc")]
    [InlineData("payload=%7B")]
    [InlineData("payload=%5B%5D")]
    [InlineData("payload=%7B%22type%22%3A%22view_submission%22%7D")]
    [InlineData("payload=%7B%22type%22%3A%22block_actions%22%7D")]
    [InlineData("payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U1%3E%22%7D%2C%22actions%22%3A%5B%7B%22action_id%22%3A%22ack%22%2C%22value%22%3A%22k%22%7D%5D%2C%22response_url%22%3A%22https%3A%2F%2Fhooks.slack.com%2Fx%22%7D")]
    [InlineData("payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U0123%22%7D%2C%22actions%22%3A%5B%5D%7D")]
    [InlineData("payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U0123%22%7D%2C%22actions%22%3A%5B%7B%22action_id%22%3A%22ack%22%7D%5D%2C%22response_url%22%3A%22https%3A%2F%2Fhooks.slack.com%2Fx%22%7D")]
    [InlineData("payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U0123%22%7D%2C%22actions%22%3A%5B%7B%22action_id%22%3A%22ack%22%2C%22value%22%3A%22a%5Cu0000b%22%7D%5D%2C%22response_url%22%3A%22https%3A%2F%2Fhooks.slack.com%2Fx%22%7D")]
    [InlineData("payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U0123%22%7D%2C%22actions%22%3A%5B%7B%22action_id%22%3A%22ack%22%2C%22value%22%3A%22k%22%7D%5D%7D")]
    public void Anything_but_a_well_formed_block_actions_click_is_refused_with_a_reason(string form)
    {
        Assert.False(SlackInteraction.TryParse(Encoding.UTF8.GetBytes(form), out _, out var problem));
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Fact]
    public void Two_payload_fields_or_invalid_UTF8_are_refused()
    {
        var one = "payload=" + Uri.EscapeDataString(SlackClick.Payload("INC-1", ResponseUrl));
        Assert.False(SlackInteraction.TryParse(Encoding.UTF8.GetBytes(one + "&" + one), out _, out _));
        Assert.False(SlackInteraction.TryParse([.. Encoding.UTF8.GetBytes(one), 0xC3, 0x28], out _, out _));
    }

    [Fact]
    public void Seeded_random_and_mutated_bodies_never_throw()
    {
        var random = new Random(1313);
        var valid = SlackClick.FormBody(SlackClick.Payload("INC-1", ResponseUrl));
        for (var i = 0; i < 2_000; i++)
        {
            byte[] body;
            if (i % 2 == 0)
            {
                body = new byte[random.Next(0, 400)];
                random.NextBytes(body);
            }
            else
            {
                body = (byte[])valid.Clone();
                for (var n = random.Next(1, 6); n > 0; n--)
                {
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                }
            }
            // Either it parses to a click with a Slack user ID, or it is refused with a reason: never an exception.
            if (SlackInteraction.TryParse(body, out var click, out var problem))
            {
                Assert.Matches("^[UW][A-Z0-9]+$", click.UserId);
            }
            else
            {
                Assert.NotEmpty(problem);
            }
        }
    }
}
