using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ada.Core.Tests;

public sealed class KeyspaceEventsTests
{
    [Theory]
    [InlineData("KEg$x", true)]
    [InlineData("AKE", true)]
    [InlineData("KEA", true)]
    [InlineData("xg$EK", true)]
    [InlineData("KElshg$xedtm", true)]
    [InlineData("", false)]
    [InlineData("KA", false)]
    [InlineData("EA", false)]
    [InlineData("Ex", false)]
    [InlineData("KEg$", false)]
    [InlineData("KEgx", false)]
    public void Satisfies_ExpandsAllAndNeedsEveryRequiredFlag(string flags, bool expected) =>
        Assert.Equal(expected, KeyspaceEvents.Satisfies(flags));

    [Theory]
    [InlineData("", "KEg$x")]
    [InlineData("Kl", "KlEg$x")]
    [InlineData("AK", "AKE")]
    [InlineData("KEA", "KEA")]
    [InlineData("Ex", "ExKg$")]
    public void Union_AddsOnlyMissingFlags(string flags, string expected)
    {
        var union = KeyspaceEvents.Union(flags);

        Assert.Equal(expected, union);
        Assert.True(KeyspaceEvents.Satisfies(union));
    }

    [Fact]
    public async Task EnsureAsync_ServerWithoutEvents_TurnsThemOn()
    {
        var server = new RedisServer();
        await server.StartAsync("--notify-keyspace-events", "");
        try
        {
            // Wired as every service wires it, so the connection is the one the services make.
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection([KeyValuePair.Create("ConnectionStrings:Redis", (string?)server.ConnectionString(0))])
                .Build();
            await using var services = new ServiceCollection().AddLogging().AddAdaRedis(configuration).BuildServiceProvider();
            var keyspace = services.GetRequiredService<KeyspaceEvents>();
            var before = await keyspace.AreOnAsync();

            await keyspace.EnsureAsync();

            Assert.False(before);
            Assert.True(await keyspace.AreOnAsync());
            await using var admin = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString(0) + ",allowAdmin=true");
            var flags = (await admin.GetServer(admin.GetEndPoints()[0]).ConfigGetAsync("notify-keyspace-events"))[0].Value;
            Assert.True(KeyspaceEvents.Satisfies(flags), $"notify-keyspace-events is '{flags}'");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
