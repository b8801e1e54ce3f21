using System.Net;
using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Hosting;

/// <summary>
/// In a local run the incident link of every Slack message (<c>{APP_BASE_URL}/incidents/{key}</c>)
/// points at the plain server itself: it answers with the incident, not a 404.
/// </summary>
[Lane(TestLane.Database)]
public class IncidentLinkRouteTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    [Theory]
    [InlineData("DEMO-1")]
    [InlineData("svc/api 500's")]
    [InlineData("zürich?x=1#frag")]
    [InlineData("100%")]
    public async Task The_link_in_a_Slack_message_shows_the_incident_and_its_escalations(string key)
    {
        await Incidents.InsertAsync(Db, key, "payments", "critical", TimeSpan.FromMinutes(6), "Card authorisations failing");
        await using (var engine = InProcessEngine.Create(TestSettings.Environment(Db)))
        {
            Assert.Equal(1, (await engine.Ticker.TickAsync()).Escalations);
        }
        await using var server = await InProcessServer.StartAsync(TestSettings.Environment(Db));

        using var response = await server.Client.GetAsync(SlackMessageBuilder.IncidentUrl(server.BaseUrl, key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var incident = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(key, incident.GetProperty("incidentKey").GetString());
        Assert.Equal(1, incident.GetProperty("level").GetInt32());
        var escalation = Assert.Single(incident.GetProperty("escalations").EnumerateArray());
        Assert.Equal(1, escalation.GetProperty("level").GetInt32());
        Assert.Contains(escalation.GetProperty("slack").GetString(), new[] { "pending", "sent" }); // the server's sender may have posted it already
    }

    [Theory]
    [InlineData("/incidents/NO-SUCH-KEY", "incident_not_found")]
    [InlineData("/incidents/%ZZ", "incident_not_found")] // HttpClient sends %25ZZ: the key "%ZZ"
    [InlineData("/incidents/", "not_found")] // no key segment: no route
    public async Task An_unknown_key_is_a_JSON_404(string path, string error)
    {
        await using var server = await InProcessServer.StartAsync(TestSettings.Environment(Db));

        using var response = await server.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(error, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task With_a_function_key_configured_the_link_needs_it_too()
    {
        await Incidents.InsertAsync(Db, "KEYED-1", "payments", "critical", TimeSpan.FromMinutes(1));
        await using var server = await InProcessServer.StartAsync(TestSettings.Environment(Db, overrides: new()
        {
            [SettingNames.OpsFunctionKey] = "incident-link-function-key-0123",
        }));

        using var refused = await server.Client.GetAsync("/incidents/KEYED-1");
        using var allowed = await server.Client.GetAsync("/incidents/KEYED-1?code=incident-link-function-key-0123");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }
}
