namespace EscalationFunctions.Benchmarks;

/// <summary>Seeded template databases by (total, due), made once and shared by the tick and comparison parts.</summary>
public sealed class Templates(BenchDatabases dbs, TextWriter log, bool keepAll = false)
{
    private readonly Dictionary<(int Total, int Due, Layout Layout), (string Name, SeedInfo Seed)> _made = new();

    public async Task<(string Name, SeedInfo Seed)> GetAsync(int total, int due, Layout layout)
    {
        if (_made.TryGetValue((total, due, layout), out var made))
        {
            return made;
        }
        var name = $"esc_bench_tpl_{total}_{due}_{layout.ToString().ToLowerInvariant()}";
        log.Write($"  seeding {total:N0} incidents, {due:N0} due, {layout.ToString().ToLowerInvariant()} ... ");
        await dbs.CreateMigratedAsync(name);
        var seed = await Seeder.SeedAsync(dbs, name, total, due, layout);
        log.WriteLine($"{seed.SeedSeconds:F1} s, {seed.DatabaseBytes / 1048576.0:F0} MiB, {seed.HistoryEvents:N0} past escalations");
        _made[(total, due, layout)] = (name, seed);
        return (name, seed);
    }

    /// <summary>Drops the templates no later part needs.</summary>
    public async Task DropExceptAsync(params (int Total, int Due, Layout Layout)[] keep)
    {
        foreach (var key in _made.Keys.Except(keep).ToList())
        {
            if (keepAll)
            {
                dbs.Keep(_made[key].Name);
                log.WriteLine($"  kept template {_made[key].Name}");
            }
            else
            {
                await dbs.DropAsync(_made[key].Name);
            }
            _made.Remove(key);
        }
    }
}
