using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Testing;

/// <summary>
/// A minimal ASP.NET Core app on 127.0.0.1, on a port the operating system picks, for the
/// stand-ins of outside services (Slack, Application Insights' ingestion endpoint).
/// </summary>
public static class LoopbackHttpServer
{
    /// <summary>Builds the app, lets <paramref name="mapRoutes"/> add its routes, starts it; returns it and its address.</summary>
    /// <param name="configure">Changes to the app before it is built (Kestrel's options, say).</param>
    public static async Task<(WebApplication App, Uri BaseUrl)> StartAsync(Action<WebApplication> mapRoutes, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        configure?.Invoke(builder);
        var app = builder.Build();
        mapRoutes(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }
}
