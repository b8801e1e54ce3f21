using System.Diagnostics;

namespace EscalationFunctions.Benchmarks;

/// <summary>
/// Peak memory of this process per scenario. On Linux the peak resident set (<c>VmHWM</c>, what
/// <see cref="Process.PeakWorkingSet64"/> reads) only ever grows, so before each scenario the
/// managed heap is collected and the peak is reset to the current resident set by writing 5 to
/// <c>/proc/self/clear_refs</c>; the scenario's peak is then <c>VmHWM</c> at its end. Where the
/// reset is not possible the figure is the process-lifetime peak, and <see cref="PeakWasReset"/> says so.
/// </summary>
public static class ProcessMemory
{
    public static bool PeakWasReset { get; private set; }

    public static void StartScenario()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            PeakWasReset = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            PeakWasReset = false;
        }
    }

    /// <summary>Peak resident set since <see cref="StartScenario"/>, in bytes.</summary>
    public static long PeakResidentBytes()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.PeakWorkingSet64;
    }

    /// <summary>Managed bytes allocated by every thread so far (precise).</summary>
    public static long AllocatedBytes() => GC.GetTotalAllocatedBytes(precise: true);
}
