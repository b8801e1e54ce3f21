using System.Text.Json;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Ops;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Hosting;

/// <summary>
/// The Azure Functions app cannot be built here (its worker packages are not in this registry), so
/// these tests read its files: it stays a thin shell over tested code, its routes and schedule are
/// the ones the plain server serves, and its configuration files are complete and valid.
/// </summary>
public class FunctionsShellTests
{
    private static readonly string Shell = Path.Combine(RepoPaths.Root, "EscalationFunctions");

    private static readonly string[] SpecSettings =
    [
        "ESCALATION_WORKER_ENABLED", "ESCALATION_V1", "ESC_CANARY_PCT", "ESC_DRY_RUN", "MAX_ESC_LEVEL", "ESC_SNOOZE_MIN",
        "ESC_PAUSE_CRON", "ESC_PAUSE_DURATION_MIN", "ESC_PAUSE_TZ", "ESC_TICK_MS", "ESC_CRIT_ACK_MIN", "ESC_WARN_ACK_MIN",
        "OPS_HMAC_SECRET", "OPS_ADMIN_ROLE", "OPS_RATE_LIMIT_PER_MIN", "APP_BASE_URL", "SLACK_WEBHOOK_URL", "SLACK_ROUTE_WEBHOOKS",
        "POSTGRES_CONNECTION_STRING", "KEY_VAULT_URI", "APPLICATIONINSIGHTS_CONNECTION_STRING",
    ];

    private static IEnumerable<string> CodeLines(string file) => File.ReadAllLines(file)
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith("//") && !l.StartsWith("using ") && !l.StartsWith("///") && l is not "{" and not "}");

    public static TheoryData<string> ShellFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Shell, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")))
        {
            data.Add(Path.GetRelativePath(Shell, file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ShellFiles))]
    public void Every_shell_file_is_short(string file) =>
        Assert.InRange(CodeLines(Path.Combine(Shell, file)).Count(), 1, 30);

    [Fact]
    public void Functions_only_call_into_the_engine_and_the_hosting_library()
    {
        var functions = Directory.GetFiles(Path.Combine(Shell, "Functions"), "*.cs");
        Assert.Equal(2, functions.Length);
        foreach (var file in functions)
        {
            var code = string.Join('\n', CodeLines(file));
            Assert.DoesNotMatch(new Regex(@"\b(if|for|foreach|while|switch|catch|new)\b"), code);
            Assert.DoesNotContain("Npgsql", code);
        }
    }

    [Fact]
    public void The_HTTP_functions_are_the_specs_routes_behind_a_function_key_calling_the_shared_endpoints()
    {
        var code = File.ReadAllText(Path.Combine(Shell, "Functions", "OpsEndpoints.cs"));

        Assert.Equal(3, Regex.Matches(code, @"\[HttpTrigger\(AuthorizationLevel\.Function,").Count);
        foreach (var (route, call) in new[] { ("Tick", "TickAsync"), ("Recalc", "RecalcAsync"), ("Health", "HealthAsync") })
        {
            Assert.Contains($"Route = OpsRoutes.{route})]", code);
            Assert.Contains($"=> ops.{call}(request, ct);", code);
        }
        Assert.Equal("ops/escalation/tick", OpsRoutes.Tick);
        Assert.Equal("ops/escalation/recalc", OpsRoutes.Recalc);
        Assert.Equal("ops/escalation/health", OpsRoutes.Health);
    }

    [Fact]
    public void The_timer_runs_the_engine_tick_and_delivery_on_ESC_TICK_SCHEDULE_not_on_startup_and_logs_IsPastDue()
    {
        var code = File.ReadAllText(Path.Combine(Shell, "Functions", "EscalationTimer.cs"));

        Assert.Contains("[TimerTrigger(\"%ESC_TICK_SCHEDULE%\", RunOnStartup = false)] TimerInfo timer", code);
        Assert.Contains("timer.IsPastDue", code);
        Assert.Contains("await cycle.RunAsync(ct);", code);
    }

    [Fact]
    public void Program_validates_settings_first_and_wires_ASP_NET_Core_integration_and_Application_Insights()
    {
        var code = File.ReadAllText(Path.Combine(Shell, "Program.cs"));

        Assert.Contains("StartupConfiguration.LoadOrReportAsync(Environment.GetEnvironmentVariable, Console.Error, requireTickSchedule: true)", code);
        Assert.Contains("FunctionsApplication.CreateBuilder(args)", code);
        Assert.Contains("builder.ConfigureFunctionsWebApplication();", code);
        Assert.Contains("AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights()", code);
        Assert.True(code.IndexOf("ConfigureFunctionsApplicationInsights", StringComparison.Ordinal) <
                    code.IndexOf("AddEscalationHosting", StringComparison.Ordinal), "Application Insights must be registered before the engine");
    }

    [Fact]
    public void The_project_uses_the_pinned_worker_packages_and_links_the_root_host_json()
    {
        var project = File.ReadAllText(Path.Combine(Shell, "EscalationFunctions.csproj"));
        var versions = File.ReadAllText(Path.Combine(RepoPaths.Root, "Directory.Packages.props"));

        Assert.Contains("<TargetFramework>net10.0</TargetFramework>", File.ReadAllText(Path.Combine(RepoPaths.Root, "Directory.Build.props")));
        Assert.Contains("<AzureFunctionsVersion>v4</AzureFunctionsVersion>", project);
        Assert.Contains("<None Include=\"../host.json\" Link=\"host.json\" CopyToOutputDirectory=\"PreserveNewest\" />", project);
        foreach (var (package, version) in new[]
                 {
                     ("Microsoft.Azure.Functions.Worker", "2."), ("Microsoft.Azure.Functions.Worker.Sdk", "2."),
                     ("Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore", "2."), ("Microsoft.Azure.Functions.Worker.Extensions.Timer", "4.3."),
                     ("Microsoft.Azure.Functions.Worker.ApplicationInsights", "2.50."), ("Microsoft.ApplicationInsights.WorkerService", "2.23.0"),
                 })
        {
            Assert.Contains($"<PackageReference Include=\"{package}\" />", project);
            Assert.Matches($"<PackageVersion Include=\"{Regex.Escape(package)}\" Version=\"{Regex.Escape(version)}", versions);
        }
    }

    [Fact]
    public void Host_json_serves_the_routes_without_a_prefix_bounds_runs_and_keeps_information_logs()
    {
        var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json"))).RootElement;

        Assert.Equal("2.0", host.GetProperty("version").GetString());
        Assert.Equal("", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.True(TimeSpan.TryParse(host.GetProperty("functionTimeout").GetString(), out var timeout) && timeout > TimeSpan.Zero);
        Assert.Equal("Information", host.GetProperty("logging").GetProperty("logLevel").GetProperty("default").GetString());
    }

    [Fact]
    public void Local_settings_example_has_every_setting_with_safe_local_values_that_pass_validation()
    {
        var values = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "local.settings.example.json")))
            .RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

        foreach (var name in SpecSettings.Append("AzureWebJobsStorage").Append("FUNCTIONS_WORKER_RUNTIME").Append("ESC_TICK_SCHEDULE"))
        {
            Assert.True(values.ContainsKey(name), $"local.settings.example.json lacks {name}");
        }
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        var settings = SettingsReader.Read(n => values.GetValueOrDefault(n), out _, requireTickSchedule: true);
        Assert.True(settings.Connections.PostgresConnectionString.Contains("127.0.0.1"), "the example must point at a local database");
        Assert.True(settings.Slack.AppBaseUrl.IsLoopback);
    }
}
