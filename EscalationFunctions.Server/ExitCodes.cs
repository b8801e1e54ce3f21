namespace EscalationFunctions.Server;

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;

    /// <summary>A setting is missing or bad; the reason is on standard error, one line per setting.</summary>
    public const int BadConfiguration = 2;

    /// <summary>The command line itself is wrong (unknown command, bad option); usage is on standard error.</summary>
    public const int Usage = 2;
}
