using Npgsql;

namespace EscalationFunctions.Engine.Settings;

/// <summary>Reads where the worker connects: PostgreSQL and how it signs in, Key Vault, Application Insights.</summary>
internal static class ConnectionSettingsReader
{
    private const string ExpectedConnectionString = "expected an Npgsql connection string such as 'Host=...;Database=...;Username=...'.";

    public static ConnectionSettings Read(SettingValues values)
    {
        var postgres = values.Raw(SettingNames.PostgresConnectionString);
        CheckConnectionString(values, postgres);

        var auth = values.Enum(SettingNames.PostgresAuth, PostgresAuthentication.Password);
        if (auth == PostgresAuthentication.Entra)
        {
            CheckEntraConnectionString(values, postgres);
        }

        var keyVault = values.Url(SettingNames.KeyVaultUri, required: false);
        var appInsights = values.Raw(SettingNames.ApplicationInsightsConnectionString);
        if (!string.IsNullOrWhiteSpace(appInsights) &&
            !appInsights.Contains("InstrumentationKey=", StringComparison.OrdinalIgnoreCase))
        {
            values.Problems.Add($"{SettingNames.ApplicationInsightsConnectionString}={SettingValues.Shown(SettingNames.ApplicationInsightsConnectionString, appInsights)} is invalid: expected 'InstrumentationKey=...;IngestionEndpoint=...'.");
        }

        return new ConnectionSettings
        {
            PostgresConnectionString = postgres ?? "",
            PostgresAuth = auth,
            KeyVaultUri = keyVault,
            KeyVaultCacheTtl = TimeSpan.FromSeconds(values.Int(SettingNames.KeyVaultCacheTtlSeconds, 300, 10, 86_400)),
            ApplicationInsightsConnectionString = string.IsNullOrWhiteSpace(appInsights) ? null : appInsights.Trim(),
        };
    }

    private static void CheckConnectionString(SettingValues values, string? postgres)
    {
        if (string.IsNullOrWhiteSpace(postgres))
        {
            values.Problems.Add($"{SettingNames.PostgresConnectionString} is not set: {ExpectedConnectionString}");
            return;
        }
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(postgres);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                values.Problems.Add($"{SettingNames.PostgresConnectionString}={SettingValues.Shown(SettingNames.PostgresConnectionString, postgres)} is invalid: it names no Host.");
            }
        }
        catch (ArgumentException)
        {
            values.Problems.Add($"{SettingNames.PostgresConnectionString}={SettingValues.Shown(SettingNames.PostgresConnectionString, postgres)} is invalid: {ExpectedConnectionString}");
        }
    }

    /// <summary>
    /// With Entra ID the token is the password and the user is the Entra principal's name, so
    /// the connection string must name a user and must not carry a password of its own.
    /// </summary>
    private static void CheckEntraConnectionString(SettingValues values, string? postgres)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(postgres);
        }
        catch (ArgumentException)
        {
            return; // reported above
        }
        if (!string.IsNullOrEmpty(builder.Password))
        {
            values.Problems.Add($"{SettingNames.PostgresConnectionString} holds a Password, but {SettingNames.PostgresAuth}=entra signs in with " +
                                "Entra ID access tokens: remove the Password (or set POSTGRES_AUTH=password).");
        }
        if (string.IsNullOrWhiteSpace(builder.Username))
        {
            values.Problems.Add($"{SettingNames.PostgresConnectionString} names no Username, but {SettingNames.PostgresAuth}=entra needs one: " +
                                "the name of the Entra principal (the app's managed identity) as registered in PostgreSQL.");
        }
    }
}
