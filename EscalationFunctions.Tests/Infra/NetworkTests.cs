using System.Text.Json.Nodes;
using static EscalationFunctions.Tests.Infra.Snapshot;

namespace EscalationFunctions.Tests.Infra;

/// <summary>
/// Private by default (vnetEnabled): the app in a virtual network, Key Vault, Storage and PostgreSQL
/// reachable only through private endpoints. Without a VNet, nothing is open to all of Azure.
/// </summary>
[Lane(TestLane.Infra)]
[Collection(InfraCollection.Name)]
public class NetworkTests(InfraSnapshots infra)
{
    /// <summary>Private endpoint group id → the service type it leads to, and (the start of) its private DNS zone.</summary>
    private static readonly IReadOnlyDictionary<string, (string Service, string DnsZone)> Endpoints = new Dictionary<string, (string, string)>
    {
        ["vault"] = ("Microsoft.KeyVault/vaults", "privatelink.vaultcore.azure.net"),
        ["blob"] = ("Microsoft.Storage/storageAccounts", "privatelink.blob."),
        ["queue"] = ("Microsoft.Storage/storageAccounts", "privatelink.queue."),
        ["table"] = ("Microsoft.Storage/storageAccounts", "privatelink.table."),
        ["postgresqlServer"] = ("Microsoft.DBforPostgreSQL/flexibleServers", "privatelink.postgres.database.azure.com"),
    };

    [Fact]
    public void The_app_joins_a_subnet_delegated_to_Flex_Consumption()
    {
        foreach (var snapshot in new[] { infra.Default, infra.Custom })
        {
            var vnet = snapshot.Single("Microsoft.Network/virtualNetworks");
            var subnets = vnet["properties"]!["subnets"]!.AsArray();
            var app = subnets.Single(s => Str(s!["name"]) == "app")!;
            Assert.Equal("Microsoft.App/environments", Str(Assert.Single(app["properties"]!["delegations"]!.AsArray())!["properties"]!["serviceName"]));
            // The subnet's id is known only once the network exists, so the snapshot keeps the expression.
            Assert.Contains(Reference(snapshot.IdOf(vnet), "2024-05-01", "subnets[0].id")[1..^1],
                Str(snapshot.FunctionApp["properties"]!["virtualNetworkSubnetId"]));
        }
    }

    [Fact]
    public void Key_Vault_Storage_and_PostgreSQL_have_private_endpoints_registered_in_linked_private_DNS_zones()
    {
        var snapshot = infra.Default;
        var vnet = snapshot.Single("Microsoft.Network/virtualNetworks");
        var endpointSubnet = Reference(snapshot.IdOf(vnet), "2024-05-01", "subnets[1].id");
        Assert.Equal("private-endpoints", Str(vnet["properties"]!["subnets"]![1]!["name"]));

        var zones = snapshot.OfType("Microsoft.Network/privateDnsZones");
        var links = snapshot.OfType("Microsoft.Network/privateDnsZones/virtualNetworkLinks");
        Assert.Equal(Endpoints.Count, zones.Count);
        Assert.Equal(zones.Count, links.Count);
        Assert.All(links, l => Assert.Equal(snapshot.IdOf(vnet), Str(l["properties"]!["virtualNetwork"]!["id"])));

        var endpoints = snapshot.OfType("Microsoft.Network/privateEndpoints");
        Assert.Equal(Endpoints.Keys.Order(), endpoints.Select(e => Str(Assert.Single(Connection(e)["groupIds"]!.AsArray()))).Order());
        foreach (var endpoint in endpoints)
        {
            var groupId = Str(Connection(endpoint)["groupIds"]![0]);
            Assert.Equal(endpointSubnet, Str(endpoint["properties"]!["subnet"]!["id"]));
            Assert.Equal(snapshot.IdOf(snapshot.Single(Endpoints[groupId].Service)), Str(Connection(endpoint)["privateLinkServiceId"]));

            var group = snapshot.Named("Microsoft.Network/privateEndpoints/privateDnsZoneGroups", Str(endpoint["name"]) + "/default");
            var zoneId = Str(Assert.Single(group["properties"]!["privateDnsZoneConfigs"]!.AsArray())!["properties"]!["privateDnsZoneId"]);
            Assert.Contains(Endpoints[groupId].DnsZone, zoneId);
        }
    }

    [Fact]
    public void By_default_no_service_accepts_public_network_traffic()
    {
        var snapshot = infra.Default;
        var vault = snapshot.Single("Microsoft.KeyVault/vaults")["properties"]!;
        Assert.Equal("Disabled", Str(vault["publicNetworkAccess"]));
        Assert.Equal("Deny", Str(vault["networkAcls"]!["defaultAction"]));
        Assert.Empty(vault["networkAcls"]!["ipRules"]!.AsArray());

        var storage = snapshot.Single("Microsoft.Storage/storageAccounts")["properties"]!;
        Assert.Equal("Disabled", Str(storage["publicNetworkAccess"]));
        Assert.Equal("Deny", Str(storage["networkAcls"]!["defaultAction"]));

        var postgres = snapshot.Single("Microsoft.DBforPostgreSQL/flexibleServers")["properties"]!;
        Assert.Equal("Disabled", Str(postgres["network"]!["publicNetworkAccess"]));
        Assert.Empty(snapshot.OfType("Microsoft.DBforPostgreSQL/flexibleServers/firewallRules"));
        Assert.DoesNotContain("AllowAllAzureServices", snapshot.Root.ToJsonString());
    }

    [Fact]
    public void Operator_addresses_open_only_Key_Vault_and_only_to_them()
    {
        var snapshot = infra.WithOperators;
        var vault = snapshot.Single("Microsoft.KeyVault/vaults")["properties"]!;
        Assert.Equal("Enabled", Str(vault["publicNetworkAccess"]));
        Assert.Equal("Deny", Str(vault["networkAcls"]!["defaultAction"]));
        Assert.Equal("None", Str(vault["networkAcls"]!["bypass"]));
        Assert.Equal(InfraSnapshots.OperatorIpRanges, vault["networkAcls"]!["ipRules"]!.AsArray().Select(r => Str(r!["value"])));

        Assert.Equal("Disabled", Str(snapshot.Single("Microsoft.Storage/storageAccounts")["properties"]!["publicNetworkAccess"]));
        Assert.Equal("Disabled", Str(snapshot.Single("Microsoft.DBforPostgreSQL/flexibleServers")["properties"]!["network"]!["publicNetworkAccess"]));
    }

    [Fact]
    public void Without_a_VNet_PostgreSQL_admits_only_the_listed_ranges_and_never_all_of_Azure()
    {
        var snapshot = infra.WithoutVnet;
        Assert.Empty(snapshot.OfType("Microsoft.Network/virtualNetworks"));
        Assert.Empty(snapshot.OfType("Microsoft.Network/privateEndpoints"));
        Assert.Null(snapshot.FunctionApp["properties"]!["virtualNetworkSubnetId"]);

        Assert.Equal("Enabled", Str(snapshot.Single("Microsoft.DBforPostgreSQL/flexibleServers")["properties"]!["network"]!["publicNetworkAccess"]));
        var rules = snapshot.OfType("Microsoft.DBforPostgreSQL/flexibleServers/firewallRules")
            .Select(r => (Str(r["properties"]!["startIpAddress"]), Str(r["properties"]!["endIpAddress"]))).ToList();
        Assert.Equal([("203.0.113.7", "203.0.113.7"), ("198.51.100.10", "198.51.100.20")], rules);

        var failed = infra.Failed("all-azure");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("postgresAllowedIpRanges must not contain 0.0.0.0", failed.StdOut + failed.StdErr);
    }

    private static JsonNode Connection(JsonObject endpoint) =>
        Assert.Single(endpoint["properties"]!["privateLinkServiceConnections"]!.AsArray())!["properties"]!;
}
