using System.Text;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Slack.Clicks;

/// <summary>Slack's v0 signature (reference §9 step 1), against Slack's documented example and over seeded tampering.</summary>
[Lane(TestLane.Unit)]
public class SlackRequestSignatureTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly byte[] Body = SlackClick.FormBody(SlackClick.Payload("INC-1", new Uri("https://hooks.slack.com/actions/T/1/x")));

    [Fact]
    public void Slacks_documented_example_verifies()
    {
        // From Slack's "Verifying requests from Slack" page.
        const string secret = "8f742231b10e8888abcd99yyyzzz85a5";
        const string body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar" +
                            "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands" +
                            "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        const string signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
        var at = DateTimeOffset.FromUnixTimeSeconds(1531420618);

        Assert.Equal(SignatureCheck.Valid, SlackRequestSignature.Verify([secret], "1531420618", signature, Encoding.UTF8.GetBytes(body), at));
        Assert.Equal(signature, SlackRequestSignature.Sign(secret, 1531420618, Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Either_secret_of_a_rotation_pair_verifies_and_a_third_does_not()
    {
        var ts = Now.ToUnixTimeSeconds();
        string[] pair = [SlackClick.Secret, SlackClick.OldSecret];

        Assert.Equal(SignatureCheck.Valid, SlackRequestSignature.Verify(pair, $"{ts}", SlackRequestSignature.Sign(SlackClick.Secret, ts, Body), Body, Now));
        Assert.Equal(SignatureCheck.Valid, SlackRequestSignature.Verify(pair, $"{ts}", SlackRequestSignature.Sign(SlackClick.OldSecret, ts, Body), Body, Now));
        Assert.Equal(SignatureCheck.Mismatch,
            SlackRequestSignature.Verify(pair, $"{ts}", SlackRequestSignature.Sign("ffffffffffffffffffffffffffffffff", ts, Body), Body, Now));
    }

    [Theory]
    [InlineData(-301, SignatureCheck.StaleTimestamp)]
    [InlineData(-300, SignatureCheck.Valid)]
    [InlineData(300, SignatureCheck.Valid)]
    [InlineData(301, SignatureCheck.StaleTimestamp)]
    public void The_timestamp_must_be_within_300_seconds(int offsetSeconds, SignatureCheck expected)
    {
        var ts = Now.ToUnixTimeSeconds() + offsetSeconds;
        Assert.Equal(expected, SlackRequestSignature.Verify([SlackClick.Secret], $"{ts}", SlackRequestSignature.Sign(SlackClick.Secret, ts, Body), Body, Now));
    }

    [Theory]
    [InlineData(null, "v0=00", SignatureCheck.Missing)]
    [InlineData("1800000000", null, SignatureCheck.Missing)]
    [InlineData("18e8", "v0=00", SignatureCheck.BadTimestamp)]
    [InlineData("-1800000000", "v0=00", SignatureCheck.BadTimestamp)]
    [InlineData("99999999999999999999", "v0=00", SignatureCheck.BadTimestamp)]
    [InlineData("999999999999", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", SignatureCheck.StaleTimestamp)]
    [InlineData("1800000000", "v0=00", SignatureCheck.BadFormat)]
    [InlineData("1800000000", "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", SignatureCheck.BadFormat)]
    [InlineData("1800000000", "v0=z2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", SignatureCheck.BadFormat)]
    [InlineData("1800000000", "sha256=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b5", SignatureCheck.BadFormat)]
    public void Malformed_headers_are_named(string? timestamp, string? signature, SignatureCheck expected) =>
        Assert.Equal(expected, SlackRequestSignature.Verify([SlackClick.Secret], timestamp, signature, Body, Now));

    [Fact]
    public void Any_changed_byte_of_body_timestamp_or_signature_is_refused()
    {
        var random = new Random(13);
        var ts = Now.ToUnixTimeSeconds();
        var signature = SlackRequestSignature.Sign(SlackClick.Secret, ts, Body);
        for (var i = 0; i < 500; i++)
        {
            var body = (byte[])Body.Clone();
            body[random.Next(body.Length)] ^= (byte)(1 + random.Next(255));
            Assert.NotEqual(SignatureCheck.Valid, SlackRequestSignature.Verify([SlackClick.Secret], $"{ts}", signature, body, Now));

            var chars = signature.ToCharArray();
            var at = 3 + random.Next(64);
            chars[at] = chars[at] == 'a' ? 'b' : 'a';
            Assert.NotEqual(SignatureCheck.Valid, SlackRequestSignature.Verify([SlackClick.Secret], $"{ts}", new string(chars), Body, Now));

            var otherTs = ts + random.Next(1, 300) * (random.Next(2) == 0 ? 1 : -1);
            Assert.NotEqual(SignatureCheck.Valid, SlackRequestSignature.Verify([SlackClick.Secret], $"{otherTs}", signature, Body, Now));
        }
    }
}
