namespace EscalationFunctions.Benchmarks;

/// <summary>Seeded template databases by (total, due), made once and shared by the tick and comparison parts.</summary>
public sealed class Templates(BenchDatabases dbs, TextWriter log)
{
    private readonly Dictionary<(int Total, int Due), (string Name, SeedInfo Seed)> _made = new();

    public async Task<(string Name, SeedInfo Seed)> GetAsync(int total, int due)
    {
        if (_made.TryGetValue((total, due), out var made))
        {
            return made;
        }
        var name = $"esc_bench_tpl_{total}_{due}";
        log.Write($"  seeding {total:N0} incidents, {due:N0} due ... ");
        await dbs.CreateMigratedAsync(name);
        var seed = await Seeder.SeedAsync(dbs, name, total, due);
        log.WriteLine($"{seed.SeedSeconds:F1} s, {seed.DatabaseBytes / 1048576.0:F0} MiB, {seed.HistoryEvents:N0} past escalations");
        _made[(total, due)] = (name, seed);
        return (name, seed);
    }

    /// <summary>Drops the templates no later part needs.</summary>
    public async Task DropExceptAsync(params (int Total, int Due)[] keep)
    {
        foreach (var key in _made.Keys.Except(keep).ToList())
        {
            await dbs.DropAsync(_made[key].Name);
            _made.Remove(key);
        }
    }
}
