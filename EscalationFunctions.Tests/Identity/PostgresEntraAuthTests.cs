using Azure.Core;
using Azure.Identity;
using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Hosting;
using EscalationFunctions.Hosting.Identity;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace EscalationFunctions.Tests.Identity;

/// <summary>
/// <c>POSTGRES_AUTH=entra</c> against the local PostgreSQL: the role <see cref="ProbeRole"/> must
/// give its scram password (scripts/postgres.sh writes that pg_hba line; every other role is
/// trusted), and that password is the fake credential's access token.
/// </summary>
[Lane(TestLane.Database)]
public class PostgresEntraAuthTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private const string ProbeRole = "esc_entra_probe";

    [Fact]
    public async Task The_pool_signs_in_with_the_access_token_and_renews_it_before_it_expires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var credential = new FakeCredential(time, lifetime: TimeSpan.FromHours(1));
        var tokenA = credential.Token;
        await SetProbePasswordAsync(tokenA);
        await AssertProbePasswordIsCheckedAsync();

        var startup = await StartupConfiguration.LoadAsync(Env().GetValueOrDefault, credential: credential);
        Assert.Equal(1, credential.Calls); // the start-up check
        Assert.Equal([PostgresAccessTokenSource.Scope], credential.Scopes.Distinct());

        var logs = new FakeLogCollector();
        await using var services = Services(startup, time, logs);
        var pool = services.GetRequiredService<NpgsqlDataSource>();
        Assert.Equal(ProbeRole, await CurrentUserAsync(pool));
        var callsAfterFirstOpen = credential.Calls;

        // The database expects a new token, but the current one is far from expiry: the pool keeps
        // presenting it, however often it asks the source.
        var tokenB = credential.Rotate();
        await SetProbePasswordAsync(tokenB);
        // Real time on purpose: Npgsql's periodic password provider asks the source every 100 ms on its
        // own timer, and these 500 ms let it ask several times.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        pool.Clear();
        var stale = await Assert.ThrowsAsync<PostgresException>(() => CurrentUserAsync(pool));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, stale.SqlState);
        Assert.Equal(callsAfterFirstOpen, credential.Calls);

        // Within RenewBefore of its expiry the token is replaced, and new connections use the new one.
        time.Advance(TimeSpan.FromMinutes(55));
        await Eventually.TrueAsync(async () =>
        {
            pool.Clear();
            try
            {
                return await CurrentUserAsync(pool) == ProbeRole;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "a connection signed in with the renewed token");
        Assert.True(credential.Calls > callsAfterFirstOpen, "The credential was not asked for a new token.");

        Assert.Contains(logs.Lines, l => l.Contains("Got a PostgreSQL access token from Microsoft Entra ID"));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(tokenA) || l.Contains(tokenB));
    }

    [Fact]
    public async Task A_credential_that_gives_no_token_stops_start_up_with_one_line_and_no_secret()
    {
        var credential = new FakeCredential(TimeProvider.System, TimeSpan.FromHours(1))
        {
            Failure = new CredentialUnavailableException("ManagedIdentityCredential authentication unavailable. No response from the IMDS endpoint.\nDetails follow."),
        };
        var errors = new StringWriter();

        var startup = await StartupConfiguration.LoadOrReportAsync(Env().GetValueOrDefault, errors, credential: credential);

        Assert.Null(startup);
        var line = Assert.Single(errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Configuration error: POSTGRES_AUTH=entra, but the app's identity gives no token:", line);
        Assert.Contains("CredentialUnavailableException: ManagedIdentityCredential authentication unavailable", line);
        Assert.Contains(PostgresAccessTokenSource.Scope, line);
        Assert.Contains("AZURE_CLIENT_ID", line);
        Assert.DoesNotContain(credential.Token, line);
    }

    [Fact]
    public async Task A_failed_renewal_is_a_warning_without_the_token_and_the_next_ask_renews()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var credential = new FakeCredential(time, lifetime: TimeSpan.FromHours(1));
        var logs = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Debug));
        var source = new PostgresAccessTokenSource(credential, time, loggers.CreateLogger<PostgresAccessTokenSource>());
        var first = await source.GetPasswordAsync(CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(55));
        credential.Failure = new AuthenticationFailedException("AADSTS700016: application not found.");
        var failure = await Assert.ThrowsAsync<PostgresAccessTokenException>(() => source.GetPasswordAsync(CancellationToken.None).AsTask());

        Assert.Contains("AADSTS700016", failure.Message);
        Assert.Contains(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("AADSTS700016"));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(first));

        credential.Failure = null;
        credential.Rotate();
        var renewed = await source.GetPasswordAsync(CancellationToken.None);
        Assert.NotEqual(first, renewed);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Database=esc;Username=app;Password=hunter2-hunter2", "holds a Password, but POSTGRES_AUTH=entra")]
    [InlineData("Host=127.0.0.1;Database=esc", "names no Username, but POSTGRES_AUTH=entra needs one")]
    public void Entra_auth_with_a_connection_string_that_does_not_fit_is_one_clear_line(string connectionString, string expected)
    {
        var env = TestSettings.Environment(Db, overrides: new()
        {
            [SettingNames.PostgresAuth] = "entra",
            [SettingNames.PostgresConnectionString] = connectionString,
        });

        var e = Assert.Throws<SettingsException>(() => SettingsReader.Read(env.GetValueOrDefault));

        var problem = Assert.Single(e.Problems);
        Assert.Contains(expected, problem);
        Assert.DoesNotContain("hunter2", problem);
    }

    [Fact]
    public void POSTGRES_AUTH_takes_password_or_entra_and_defaults_to_password()
    {
        var env = TestSettings.Environment(Db);
        Assert.Equal(PostgresAuthentication.Password, SettingsReader.Read(env.GetValueOrDefault).Connections.PostgresAuth);

        env[SettingNames.PostgresAuth] = "Entra";
        env[SettingNames.PostgresConnectionString] = "Host=127.0.0.1;Database=esc;Username=id-app";
        Assert.Equal(PostgresAuthentication.Entra, SettingsReader.Read(env.GetValueOrDefault).Connections.PostgresAuth);

        env[SettingNames.PostgresAuth] = "kerberos";
        var e = Assert.Throws<SettingsException>(() => SettingsReader.Read(env.GetValueOrDefault));
        Assert.Equal("POSTGRES_AUTH='kerberos' is invalid: expected 'password' or 'entra'.", Assert.Single(e.Problems));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /// <summary>Settings that sign in as the probe role with Entra tokens: a user name, no password.</summary>
    private Dictionary<string, string> Env() => TestSettings.Environment(Db, overrides: new()
    {
        [SettingNames.PostgresAuth] = "entra",
        [SettingNames.PostgresConnectionString] =
            new NpgsqlConnectionStringBuilder(Db.ConnectionString) { Username = ProbeRole, Password = null, MaxPoolSize = 5 }.ConnectionString,
    });

    /// <summary>
    /// The hosts' registration, with the token source asked every 100 ms instead of every minute
    /// (the one the hosts register is checked to be the same type).
    /// </summary>
    private static ServiceProvider Services(StartupConfiguration startup, FakeTimeProvider time, FakeLogCollector logs)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<TimeProvider>(time);
        services.AddEscalationHosting(startup);
        var registered = services.Single(d => d.ServiceType == typeof(IPostgresPasswordSource));
        var alone = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(time);
        alone.Add(registered);
        using (var probe = alone.BuildServiceProvider())
        {
            Assert.IsType<PostgresAccessTokenSource>(probe.GetRequiredService<IPostgresPasswordSource>());
        }
        services.Replace(ServiceDescriptor.Singleton<IPostgresPasswordSource>(sp => new PostgresAccessTokenSource(
            startup.Credential, time, sp.GetRequiredService<ILogger<PostgresAccessTokenSource>>(), refreshInterval: TimeSpan.FromMilliseconds(100))));
        return services.BuildServiceProvider();
    }

    private static async Task<string> CurrentUserAsync(NpgsqlDataSource pool)
    {
        await using var conn = await pool.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("SELECT current_user", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task SetProbePasswordAsync(string password)
    {
        await using var conn = new NpgsqlConnection(await PostgresCluster.AdminConnectionStringAsync());
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            $"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ProbeRole}') THEN CREATE ROLE {ProbeRole} LOGIN; END IF;
            END $$;
            SET password_encryption = 'scram-sha-256';
            ALTER ROLE {ProbeRole} PASSWORD '{password}';
            """, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Without the scram line for the probe role, a trusting cluster would let any token in.</summary>
    private async Task AssertProbePasswordIsCheckedAsync()
    {
        var wrong = new NpgsqlConnectionStringBuilder(Db.ConnectionString) { Username = ProbeRole, Password = "not-the-token", Pooling = false };
        await using var conn = new NpgsqlConnection(wrong.ConnectionString);
        var e = await Record.ExceptionAsync(() => conn.OpenAsync());
        Assert.True(e is PostgresException { SqlState: PostgresErrorCodes.InvalidPassword },
            $"PostgreSQL accepted role {ProbeRole} with a wrong password, so this test would prove nothing: the cluster must require " +
            $"scram-sha-256 for it (scripts/postgres.sh puts that pg_hba.conf line before the trust lines at init). Got: {e?.Message ?? "no error"}");
    }

    /// <summary>A credential that hands out a fixed token until rotated, valid for <paramref name="lifetime"/> from (fake) now.</summary>
    private sealed class FakeCredential(TimeProvider time, TimeSpan lifetime) : TokenCredential
    {
        private int _calls;

        public string Token { get; private set; } = NewToken();
        public Exception? Failure { get; set; }
        public int Calls => Volatile.Read(ref _calls);
        public System.Collections.Concurrent.ConcurrentBag<string> Scopes { get; } = [];

        public string Rotate() => Token = NewToken();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            foreach (var scope in requestContext.Scopes)
            {
                Scopes.Add(scope);
            }
            return Failure is { } failure
                ? ValueTask.FromException<AccessToken>(failure)
                : ValueTask.FromResult(new AccessToken(Token, time.GetUtcNow() + lifetime));
        }

        private static string NewToken() => $"eyJfake.{Guid.NewGuid():N}{Guid.NewGuid():N}";
    }
}
