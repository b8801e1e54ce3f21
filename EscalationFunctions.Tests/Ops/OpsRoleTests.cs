using System.Text;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Ops;

/// <summary>The caller must hold OPS_ADMIN_ROLE, read from a trusted X-MS-CLIENT-PRINCIPAL (reference §6).</summary>
[Lane(TestLane.Database)]
public class OpsRoleTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private static string Principal(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    private async Task<(int Status, string? Error)> CallAsync(string? principal, Dictionary<string, string>? settings = null)
    {
        await using var server = await InProcessServer.StartAsync(OpsTestSettings.For(Db, settings));
        var answer = await OpsCall.SendAsync(server.Client,
            OpsCall.Signed("/ops/escalation/recalc", principal: principal, withPrincipal: principal is not null));
        return (answer.Status, answer.Error);
    }

    [Fact]
    public async Task Without_a_principal_the_call_is_unauthenticated() =>
        Assert.Equal((401, "missing_principal"), await CallAsync(null));

    [Fact]
    public async Task A_principal_without_the_admin_role_is_forbidden() =>
        Assert.Equal((403, "missing_role"), await CallAsync(ClientPrincipal.Encode("bob", ["reader"])));

    [Fact]
    public async Task The_role_comes_from_OPS_ADMIN_ROLE() =>
        Assert.Equal(200, (await CallAsync(ClientPrincipal.Encode("carol", ["escalation.operator"]),
            new() { [SettingNames.OpsAdminRole] = "escalation.operator" })).Status);

    [Fact]
    public async Task A_role_in_a_claim_of_the_role_typ_type_is_accepted()
    {
        var principal = Principal("""
            {"auth_typ":"aad","name_typ":"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
             "role_typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
             "claims":[{"typ":"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name","val":"dave@example.com"},
                       {"typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","val":"ops_admin"}]}
            """);

        Assert.Equal(200, (await CallAsync(principal)).Status);
        Assert.Contains("dave@example.com", await Db.QueryAsync("SELECT caller FROM ops_audit WHERE outcome = 'ok'", r => r.GetString(0)));
    }

    [Fact]
    public async Task A_role_in_a_roles_claim_is_accepted() =>
        Assert.Equal(200, (await CallAsync(Principal("""{"auth_typ":"aad","claims":[{"typ":"name","val":"erin"},{"typ":"roles","val":"ops_admin"}]}"""))).Status);

    [Fact]
    public async Task When_App_Service_Authentication_is_off_the_header_is_not_trusted_even_with_the_role()
    {
        var untrusted = new Dictionary<string, string> { [SettingNames.OpsTrustPrincipalHeader] = "false" };

        Assert.Equal((403, "untrusted_principal"), await CallAsync(OpsCall.Admin("mallory"), untrusted));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_audit WHERE outcome = 'ok'"));
    }

    [Fact]
    public async Task When_App_Service_Authentication_is_on_the_header_is_trusted() =>
        Assert.Equal(200, (await CallAsync(OpsCall.Admin("frank"), new()
        {
            [SettingNames.OpsTrustPrincipalHeader] = "false",
            [SettingNames.WebsiteAuthEnabled] = "True",
        })).Status);

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("e25vdCBqc29u")] // base64 of "{not json"
    [InlineData("eyJhdXRoX3R5cCI6ImFhZCJ9")] // {"auth_typ":"aad"}: no claims
    [InlineData("eyJjbGFpbXMiOiJub3QgYW4gYXJyYXkifQ==")] // {"claims":"not an array"}
    public async Task A_malformed_principal_is_unauthenticated(string header) =>
        Assert.Equal((401, "invalid_principal"), await CallAsync(header));
}
