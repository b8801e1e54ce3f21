using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Settings;
using Npgsql;
using static EscalationFunctions.Tests.Infra.Snapshot;

namespace EscalationFunctions.Tests.Infra;

/// <summary>PostgreSQL takes Microsoft Entra ID only; the app's identity signs in with tokens and owns the schema.</summary>
[Lane(TestLane.Infra)]
[Collection(InfraCollection.Name)]
public class PostgresAuthTests(InfraSnapshots infra)
{
    [Fact]
    public void Password_authentication_is_off_and_Entra_ID_on()
    {
        var server = infra.Default.Single("Microsoft.DBforPostgreSQL/flexibleServers");
        var auth = server["properties"]!["authConfig"]!;
        Assert.Equal("Enabled", Str(auth["activeDirectoryAuth"]));
        Assert.Equal("Disabled", Str(auth["passwordAuth"]));
        Assert.Equal("[tenant().tenantId]", Str(auth["tenantId"]));
        Assert.Null(server["properties"]!["administratorLogin"]);
        Assert.Null(server["properties"]!["administratorLoginPassword"]);
        Assert.Equal("16", Str(server["properties"]!["version"]));
        Assert.Equal("Burstable", Str(server["sku"]!["tier"]));

        var tls = infra.Default.Single("Microsoft.DBforPostgreSQL/flexibleServers/configurations");
        Assert.EndsWith("/require_secure_transport", Str(tls["name"]));
        Assert.Equal("on", Str(tls["properties"]!["value"]));
    }

    [Fact]
    public void The_app_identity_is_the_Entra_administrator()
    {
        var snapshot = infra.Default;
        var identity = snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities");
        var admin = snapshot.Single("Microsoft.DBforPostgreSQL/flexibleServers/administrators");
        Assert.Equal("ServicePrincipal", Str(admin["properties"]!["principalType"]));
        Assert.Equal(Str(identity["name"]), Str(admin["properties"]!["principalName"]));
        Assert.Contains(Reference(snapshot.IdOf(identity), "2023-01-31", "principalId")[1..^1], Str(admin["name"]));
        Assert.Equal("[tenant().tenantId]", Str(admin["properties"]!["tenantId"]));
    }

    [Fact]
    public void The_connection_string_secret_names_the_server_database_and_identity_and_holds_no_password()
    {
        var snapshot = infra.Default;
        var secret = snapshot.Single("Microsoft.KeyVault/vaults/secrets");
        Assert.Equal($"{Str(snapshot.Single("Microsoft.KeyVault/vaults")["name"])}/postgres-connection-string", Str(secret["name"]));

        // The only runtime part is the server's host name; with a stand-in the app's settings reader accepts it.
        var server = snapshot.Single("Microsoft.DBforPostgreSQL/flexibleServers");
        var value = Str(secret["properties"]!["value"]);
        var hostReference = Reference(snapshot.IdOf(server), "2024-08-01", "fullyQualifiedDomainName")[1..^1];
        Assert.Contains(hostReference, value);
        var connection = new NpgsqlConnectionStringBuilder(Format(value.Replace(hostReference, "'psql.example.com'", StringComparison.Ordinal)));
        Assert.Equal("psql.example.com", connection.Host);
        Assert.Equal("escalation", connection.Database);
        Assert.Equal(Str(snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities")["name"]), connection.Username);
        Assert.Null(connection.Password);
        Assert.Equal(SslMode.Require, connection.SslMode);

        Assert.Equal(nameof(PostgresAuthentication.Entra).ToLowerInvariant(), snapshot.AppSettings[SettingNames.PostgresAuth]);
    }

    /// <summary>"[format('a={0};b={1}', 'x', 'y')]" with only string literal arguments, evaluated.</summary>
    private static string Format(string expression)
    {
        var match = Regex.Match(expression, @"^\[format\('(?<template>[^']*)'(?:, '(?<arg>[^']*)')*\)\]$");
        Assert.True(match.Success, $"Not a format() of string literals: {expression}");
        var args = match.Groups["arg"].Captures.Select(c => (object)c.Value).ToArray();
        return string.Format(System.Globalization.CultureInfo.InvariantCulture, match.Groups["template"].Value, args);
    }
}
