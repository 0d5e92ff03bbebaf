namespace Ada.Api.Tests;

/// <summary>xunit 2 reads collection definitions only from the test assembly itself: this one shares Ada.Testing's redis-server.</summary>
[CollectionDefinition(RedisCollection.Name)]
public sealed class RedisCollectionDefinition : ICollectionFixture<RedisServer>;
