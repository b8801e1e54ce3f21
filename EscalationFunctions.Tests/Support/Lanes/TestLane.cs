namespace EscalationFunctions.Tests.Support.Lanes;

/// <summary>
/// What a test class needs to run, as the <c>Lane</c> trait (<c>dotnet test --filter Lane=unit</c>);
/// <c>scripts/test.sh --fast</c> runs <see cref="Unit"/> and <see cref="Database"/> only, CI every lane.
/// </summary>
public enum TestLane
{
    /// <summary>No database, no child process, nothing outside the test process (an in-process loopback stand-in is fine).</summary>
    Unit,

    /// <summary>The throwaway PostgreSQL, with the engine or server running inside the test process.</summary>
    Database,

    /// <summary>Starts the server, the Functions worker or a script as a process: end to end, scale-out, crashes, fresh checkouts.</summary>
    Process,

    /// <summary>Runs the Bicep CLI over infra/.</summary>
    Infra,
}
