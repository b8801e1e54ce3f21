using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Data.Migrations;

namespace EscalationFunctions.Tests.Data;

/// <summary>What the migrations say, read as text: each column is added by one migration only.</summary>
[Lane(TestLane.Unit)]
public sealed partial class MigrationTextTests
{
    [Fact]
    public void Each_column_is_added_by_one_migration_only()
    {
        var added = new List<(string Column, int Version)>();
        foreach (var migration in MigrationRunner.All)
        {
            foreach (Match table in AlterTable().Matches(migration.Sql))
            {
                foreach (Match column in AddColumn().Matches(table.Groups["actions"].Value))
                    added.Add(($"{table.Groups["table"].Value}.{column.Groups["column"].Value}", migration.Version));
            }
        }

        Assert.Contains(added, a => a.Column == "incidents.acknowledged_by");   // the reader sees ADD COLUMN at all
        var twice = added.GroupBy(a => a.Column).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key} in migrations {string.Join(", ", g.Select(a => a.Version))}").ToList();
        Assert.True(twice.Count == 0, "added more than once: " + string.Join("; ", twice));
    }

    [GeneratedRegex(@"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?<table>\w+)(?<actions>[^;]*);", RegexOptions.IgnoreCase)]
    private static partial Regex AlterTable();

    [GeneratedRegex(@"ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?(?<column>\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex AddColumn();
}
