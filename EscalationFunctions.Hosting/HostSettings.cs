using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Hosting;

/// <summary>
/// The settings only a host uses, and what its platform tells it, read by <see cref="HostSettingsReader"/>
/// next to the engine's. A class, not a record, so that no generated <c>ToString</c> prints a function key.
/// </summary>
public sealed class HostSettings
{
    /// <summary><c>ESC_TICK_SCHEDULE</c>: the Functions timer's NCRONTAB; validated to fire every <c>ESC_TICK_MS</c>. Null when not set.</summary>
    public string? TickSchedule { get; init; }

    /// <summary><c>OPS_FUNCTION_KEY</c>: keys the plain server accepts in <c>x-functions-key</c> or <c>?code=</c>; empty: no key required.</summary>
    public IReadOnlyList<string> FunctionKeys { get; init; } = [];

    /// <summary><c>WEBSITE_AUTH_ENABLED</c>: App Service Authentication signs callers in and sets the principal header.</summary>
    public bool PlatformAuthenticatesCallers { get; init; }

    /// <summary>What this process writes into <c>escalation_ticks</c> (<c>WEBSITE_INSTANCE_ID</c> on Azure).</summary>
    public required WorkerInstance Instance { get; init; }
}
