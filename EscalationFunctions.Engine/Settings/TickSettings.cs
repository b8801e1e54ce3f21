namespace EscalationFunctions.Engine.Settings;

/// <param name="Period"><c>ESC_TICK_MS</c>: the plain server's timer, and the base of the lag alerts.</param>
/// <param name="Schedule"><c>ESC_TICK_SCHEDULE</c>: the Functions timer's NCRONTAB; validated to fire every <paramref name="Period"/>.</param>
public sealed record TickSettings(TimeSpan Period, int BatchSize, string? Schedule = null);
