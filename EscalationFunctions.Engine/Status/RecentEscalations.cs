namespace EscalationFunctions.Engine.Status;

/// <summary>The escalations recorded in the last <see cref="Hours"/> hours.</summary>
public sealed record RecentEscalations(int Hours, long Count, IReadOnlyList<RecentEscalation> Shown);
