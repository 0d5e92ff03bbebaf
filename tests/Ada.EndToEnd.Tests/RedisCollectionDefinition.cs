using Ada.Testing;

namespace Ada.EndToEnd.Tests;

[CollectionDefinition(RedisCollection.Name)]
public sealed class RedisCollectionDefinition : ICollectionFixture<RedisServer>;
