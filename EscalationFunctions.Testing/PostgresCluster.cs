using Npgsql;

namespace EscalationFunctions.Testing;

/// <summary>
/// The PostgreSQL server that tests and benchmarks use. <c>ESC_TEST_POSTGRES</c> (an admin
/// connection string, set by <c>scripts/test.sh</c>) names one that is already running; otherwise
/// the first caller starts a throwaway cluster on 127.0.0.1 with <c>scripts/postgres.sh</c> and it
/// is stopped when the process exits. There is no fallback: without a server, callers fail with a
/// message that says how to get one.
/// </summary>
public static class PostgresCluster
{
    public const string EnvironmentVariable = "ESC_TEST_POSTGRES";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _admin;

    /// <summary>A connection string to the <c>postgres</c> database as a superuser.</summary>
    public static async Task<string> AdminConnectionStringAsync()
    {
        if (_admin is not null)
        {
            return _admin;
        }
        await Gate.WaitAsync();
        try
        {
            _admin ??= await ResolveAsync();
            return _admin;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> ResolveAsync()
    {
        var given = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            await EnsureReachableAsync(given, $"{EnvironmentVariable} is set, but");
            return given;
        }

        var dir = Path.Combine(Path.GetTempPath(), $"esc-test-pg-{Environment.ProcessId}");
        var script = RepoPaths.Script("postgres.sh");
        var (exit, stdout, stderr) = await RunAsync(script, $"start {dir}");
        if (exit != 0)
        {
            throw new InvalidOperationException(
                $"Could not start a throwaway PostgreSQL cluster with {script} (exit {exit}): {stderr.Trim()} " +
                $"Install PostgreSQL 15+ (apt-get install postgresql) or set {EnvironmentVariable} to an admin connection string.");
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RunAsync(script, $"stop {dir}").GetAwaiter().GetResult();
        var connectionString = stdout.Trim().Split('\n').Last().Trim();
        await EnsureReachableAsync(connectionString, $"the cluster started in {dir} is running, but");
        return connectionString;
    }

    private static async Task EnsureReachableAsync(string connectionString, string context)
    {
        try
        {
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidOperationException($"PostgreSQL for tests: {context} a connection fails: {e.Message}", e);
        }
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, string arguments) =>
        ChildProcess.RunAsync(new ChildProcessStart("bash", [file, .. arguments.Split(' ')]), TimeSpan.FromMinutes(5));
}
