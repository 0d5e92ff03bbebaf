namespace Ada.Reliability.Tests;

/// <summary>
/// One shared redis-server, and one test at a time: the tests kill processes, kill every pub/sub client of the
/// server and load two cores; run side by side they would disturb each other's timings.
/// </summary>
[CollectionDefinition(RedisCollection.Name, DisableParallelization = true)]
public sealed class ReliabilityCollection : ICollectionFixture<RedisServer>;
