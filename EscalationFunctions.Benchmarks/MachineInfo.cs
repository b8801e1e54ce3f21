using System.Globalization;
using System.Runtime.InteropServices;
using EscalationFunctions.Testing;
using Npgsql;

namespace EscalationFunctions.Benchmarks;

/// <summary>What the figures ran on: CPU, cores, memory, PostgreSQL and its settings, .NET, load.</summary>
public sealed record MachineInfo
{
    public required string CpuModel { get; init; }
    public required int Cores { get; init; }
    public required double RamGiB { get; init; }
    public required string Os { get; init; }
    public required string DotNet { get; init; }
    public required string PostgresVersion { get; init; }
    public required Dictionary<string, string> PostgresSettings { get; init; }
    public required string? GitCommit { get; init; }
    public required double[] LoadAtStart { get; init; }
    public double[]? LoadAtEnd { get; set; }
    public required int QuietChecks { get; init; }

    /// <summary>The server settings that change what the figures mean.</summary>
    private static readonly string[] SettingNames =
        ["shared_buffers", "work_mem", "fsync", "synchronous_commit", "full_page_writes", "wal_level", "max_connections", "jit"];

    public static async Task<MachineInfo> CollectAsync(string admin, double[] loadAtStart, int quietChecks)
    {
        var settings = new Dictionary<string, string>();
        string version;
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync();
            await using (var cmd = new NpgsqlCommand("SHOW server_version", conn))
            {
                version = (string)(await cmd.ExecuteScalarAsync())!;
            }
            foreach (var name in SettingNames)
            {
                await using var cmd = new NpgsqlCommand($"SHOW {name}", conn);
                settings[name] = (string)(await cmd.ExecuteScalarAsync())!;
            }
        }

        return new MachineInfo
        {
            CpuModel = CpuModelName(),
            Cores = Environment.ProcessorCount,
            RamGiB = Math.Round(MemTotalKiB() / 1024.0 / 1024.0, 1),
            Os = RuntimeInformation.OSDescription,
            DotNet = RuntimeInformation.FrameworkDescription,
            PostgresVersion = version,
            PostgresSettings = settings,
            GitCommit = ReadGitCommit(),
            LoadAtStart = loadAtStart,
            QuietChecks = quietChecks,
        };
    }

    public static double[] LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3)
                .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Waits until the 1-minute load average is below <paramref name="threshold"/>; returns the checks made.</summary>
    public static async Task<int> WaitForQuietAsync(double threshold, int tries, TextWriter log)
    {
        for (var i = 1; i <= tries; i++)
        {
            var load = LoadAverage();
            if (load.Length == 0 || load[0] < threshold)
            {
                log.WriteLine($"load average {string.Join(" ", load)}: quiet enough (check {i})");
                return i;
            }
            log.WriteLine($"load average {string.Join(" ", load)}: waiting 60 s for it to drop below {threshold} (check {i} of {tries})");
            if (i < tries)
            {
                await Task.Delay(TimeSpan.FromSeconds(60));
            }
        }
        log.WriteLine("the machine did not get quiet; measuring anyway (the load is recorded with the figures)");
        return tries;
    }

    /// <summary>The model name from /proc/cpuinfo, with family, model and clock (a virtual CPU's name can be just "AMD EPYC").</summary>
    private static string CpuModelName()
    {
        try
        {
            var lines = File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).ToList();
            string? Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal) && l[name.Length..].TrimStart().StartsWith(':'))
                ?.Split(':', 2)[1].Trim();
            var model = Field("model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
            var details = new List<string>();
            if (Field("cpu family") is { } family && Field("model") is { } number)
            {
                details.Add($"family {family}, model {number}");
            }
            if (Field("cpu MHz") is { } mhz && double.TryParse(mhz, CultureInfo.InvariantCulture, out var clock))
            {
                details.Add($"{clock / 1000:F1} GHz");
            }
            if (Field("flags") is { } flags && flags.Split(' ').Contains("hypervisor"))
            {
                details.Add("virtual machine");
            }
            return details.Count == 0 ? model : $"{model} ({string.Join(", ", details)})";
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static long MemTotalKiB()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException)
        {
            return 0;
        }
    }

    private static string? ReadGitCommit()
    {
        try
        {
            var (exit, commit, _) = Git("rev-parse", "--short", "HEAD");
            if (exit != 0)
            {
                return null;
            }
            var dirty = Git("status", "--porcelain", "--untracked-files=no").Stdout.Trim().Length > 0;
            return dirty ? commit.Trim() + "+changes" : commit.Trim();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) Git(params string[] args) =>
        ChildProcess.RunAsync(new ChildProcessStart("git", args) { WorkingDirectory = RepoPaths.Root }, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
}
