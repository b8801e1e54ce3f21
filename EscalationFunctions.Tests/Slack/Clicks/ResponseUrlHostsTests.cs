using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Tests.Slack.Clicks;

/// <summary><c>SLACK_RESPONSE_URL_HOSTS</c>: which response_url answers may be posted (reference §9 step 4).</summary>
[Lane(TestLane.Unit)]
public class ResponseUrlHostsTests
{
    [Theory]
    [InlineData("https://hooks.slack.com/actions/T0/1/abc")]
    [InlineData("https://HOOKS.slack.com/actions/T0/1/abc")]
    [InlineData("https://hooks.slack.com:443/actions/T0/1/abc")]
    public void Slacks_own_https_response_urls_are_allowed_by_default(string url) =>
        Assert.NotNull(ResponseUrlHosts.Default.Allow(url, out _));

    [Theory]
    [InlineData("http://hooks.slack.com/actions/T0/1/abc")]
    [InlineData("https://hooks.slack.com.evil.example/actions")]
    [InlineData("https://evil.example/hooks.slack.com/actions")]
    [InlineData("https://x.hooks.slack.com/actions")]
    [InlineData("https://user:pw@hooks.slack.com/actions")]
    [InlineData("https://127.0.0.1/actions")]
    [InlineData("ftp://hooks.slack.com/actions")]
    [InlineData("https://hooks.slack.com/actions/T0/1/a\0b")]
    [InlineData("https://hooks.slack.com/actions/T0/1/a\rb")]
    [InlineData("/actions/T0/1/abc")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_hosts_schemes_and_forms_are_refused(string? url)
    {
        Assert.Null(ResponseUrlHosts.Default.Allow(url, out var refusal));
        Assert.NotEmpty(refusal);
    }

    [Fact]
    public void Loopback_may_be_listed_for_tests_and_then_takes_http()
    {
        Assert.True(ResponseUrlHosts.TryParse("hooks.slack.com, 127.0.0.1", out var hosts, out _));
        Assert.NotNull(hosts.Allow("http://127.0.0.1:5123/actions/x", out _));
        Assert.Null(hosts.Allow("http://localhost:5123/actions/x", out _));
    }

    [Theory]
    [InlineData("https://hooks.slack.com")]
    [InlineData("hooks.slack.com/actions")]
    [InlineData("hooks slack com")]
    [InlineData("hooks.slack.com,")]
    [InlineData("*.slack.com")]
    public void Anything_but_host_names_is_refused_at_boot(string raw)
    {
        Assert.False(ResponseUrlHosts.TryParse(raw, out _, out var problem));
        Assert.Equal(ResponseUrlHosts.Expected, problem);
    }
}
