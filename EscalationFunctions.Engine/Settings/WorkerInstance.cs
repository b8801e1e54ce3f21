namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// The identity this process writes into <c>escalation_ticks</c>. The host registers it: the App
/// Service instance id in Azure, else host name and process id.
/// </summary>
public sealed record WorkerInstance(string Id);
