namespace Ada.Testing;

/// <summary>
/// A test class whose every test (xunit makes an instance per test) has a database of its own on the shared
/// redis-server, opened before the test and closed after it.
/// </summary>
public abstract class DatabaseTest(RedisServer redis) : IAsyncLifetime
{
    private TestDatabase? _database;

    protected TestDatabase Database => _database ?? throw new InvalidOperationException("The test's database opens in InitializeAsync.");

    public virtual async Task InitializeAsync() => _database = await TestDatabase.OpenAsync(redis);

    public virtual async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
