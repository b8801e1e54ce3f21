namespace EscalationFunctions.Engine.Settings;

/// <param name="Period"><c>ESC_TICK_MS</c>: the plain server's timer, and the base of the lag alerts.</param>
public sealed record TickSettings(TimeSpan Period, int BatchSize);
