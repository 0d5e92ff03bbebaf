using Ada.Core.Redis;
using Ada.Testing;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Ada.Couriers.Vk.Tests;

/// <summary>xunit looks for collection definitions only in the test assembly, not in Ada.Testing.</summary>
[CollectionDefinition(RedisCollection.Name)]
public sealed class RedisCollectionDefinition : ICollectionFixture<RedisServer>;

/// <summary>One database of the shared redis-server, with its own connection, for one test.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public static readonly AdaScripts Scripts = new();

    private TestDatabase(RedisServer server, ConnectionMultiplexer mux, int number)
    {
        Server = server;
        Mux = mux;
        Number = number;
    }

    public RedisServer Server { get; }
    public ConnectionMultiplexer Mux { get; }
    public int Number { get; }
    public IDatabase Db => Mux.GetDatabase();
    public string ConnectionString => Server.ConnectionString(Number);

    public static async Task<TestDatabase> OpenAsync(RedisServer redis)
    {
        var number = redis.NextDatabase();
        var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString(number));
        return new TestDatabase(redis, mux, number);
    }

    /// <summary>Another connection to the same database, as a second process would have.</summary>
    public Task<ConnectionMultiplexer> ConnectAgainAsync() => ConnectionMultiplexer.ConnectAsync(Server.ConnectionString(Number));

    public ValueTask DisposeAsync() => Mux.DisposeAsync();
}

/// <summary>Logs in the test's output, so a failing scenario shows what the courier did.</summary>
public sealed class TestLogger<T>(ITestOutputHelper? output) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => output is not null && logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {typeof(T).Name}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; its output is closed.
        }
    }
}
