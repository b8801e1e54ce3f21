using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Support;

/// <summary>A fresh, migrated database for one test class (xunit class fixture).</summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    private TestDatabase? _db;

    public TestDatabase Db => _db ?? throw new InvalidOperationException("The database fixture is not initialised.");

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync(GetType().Name);

    public async Task DisposeAsync()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }
}
