namespace EscalationFunctions.Engine.Data.Migrations;

/// <summary>One embedded <c>NNNN_name.sql</c> file: applied once, in version order, by <see cref="MigrationRunner"/>.</summary>
public sealed record Migration(int Version, string Name, string Sql);
