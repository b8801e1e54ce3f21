using EscalationFunctions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Every setting is validated before the host starts (secrets from Key Vault when KEY_VAULT_URI is
// set); a bad one stops the worker with one line naming it.
var startup = await StartupConfiguration.LoadOrReportAsync(Environment.GetEnvironmentVariable, Console.Error, requireTickSchedule: true);
if (startup is null)
{
    return 2;
}

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
if (startup.UsesApplicationInsights)
{
    // Registered before the engine so that its metrics use this (Functions-aware) TelemetryClient.
    builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
}
builder.Services.AddEscalationHosting(startup);
builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<StartupLogService>(sp, startup));
var host = builder.Build();
// The database before the host starts: an unreachable one is one line naming it, not the host's stack trace.
if (await StartupDatabaseCheck.ProblemAsync(host.Services, startup.Settings) is { } problem)
{
    await Console.Error.WriteLineAsync(problem);
    return 1;
}
host.Run();
return 0;
