namespace Ada.EndToEnd.Tests;

[CollectionDefinition(RedisCollection.Name)]
public sealed class RedisCollectionDefinition : ICollectionFixture<RedisServer>;

[CollectionDefinition(ClusterCollection.Name)]
public sealed class ClusterCollectionDefinition : ICollectionFixture<RedisCluster>;
