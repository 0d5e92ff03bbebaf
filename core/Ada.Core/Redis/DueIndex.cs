using StackExchange.Redis;

namespace Ada.Core.Redis;

/// <summary>Reading the due index (<c>due:{0}</c> … <c>due:{15}</c>): what has fallen due and is not settled yet.</summary>
public static class DueIndex
{
    private const int Page = 1000;

    /// <summary>
    /// Every id due by <paramref name="nowMs"/>, every page of every shard: an id stays in the index until all its
    /// channels are done, so the oldest page may hold only ids a reader has settled, and newer due ids wait behind.
    /// </summary>
    public static async IAsyncEnumerable<string> DueAsync(IDatabaseAsync db, long nowMs)
    {
        for (var shard = 0; shard < Keys.DueShards; shard++)
        {
            for (var skip = 0; ; skip += Page)
            {
                var ids = await db.SortedSetRangeByScoreAsync(Keys.Due(shard), double.NegativeInfinity, nowMs, skip: skip, take: Page);
                foreach (var id in ids)
                {
                    yield return id.ToString();
                }
                if (ids.Length < Page)
                {
                    break;
                }
            }
        }
    }
}
