using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Hosting;
using EscalationFunctions.Hosting.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EscalationFunctions.Hosting;

/// <summary>Everything a host registers: the engine plus the HTTP ops endpoints.</summary>
public static class HostingServiceCollectionExtensions
{
    public static IServiceCollection AddEscalationHosting(this IServiceCollection services, EscalationSettings settings)
    {
        services.AddEscalationEngine(settings);
        services.AddSingleton<OpsHttpEndpoints>();
        return services;
    }
}
