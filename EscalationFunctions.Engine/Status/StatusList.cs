namespace EscalationFunctions.Engine.Status;

/// <summary>The first rows of a list and how many there are in all.</summary>
public sealed record StatusList<T>(long Count, IReadOnlyList<T> Shown);
