namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// The identity this process writes into <c>escalation_ticks</c>: the App Service instance id in
/// Azure (<c>WEBSITE_INSTANCE_ID</c>), else host name and process id.
/// </summary>
public sealed record WorkerInstance(string Id)
{
    public static WorkerInstance FromEnvironment()
    {
        var azure = Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID");
        return new WorkerInstance(string.IsNullOrWhiteSpace(azure)
            ? $"{Environment.MachineName}:{Environment.ProcessId}"
            : azure.Length > 16 ? azure[..16] : azure);
    }
}
