using System.Globalization;
using StackExchange.Redis;

namespace Ada.Couriers.Sms;

/// <summary>One SMS.ru text waiting for its delivery status.</summary>
public sealed record PendingSms(string SmsId, DateTimeOffset SentAt)
{
    public string Member => string.Create(CultureInfo.InvariantCulture, $"{SentAt.ToUnixTimeMilliseconds()}:{SmsId}");

    public static PendingSms? Parse(string member)
    {
        var colon = member.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && long.TryParse(member.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? new PendingSms(member[(colon + 1)..], DateTimeOffset.FromUnixTimeMilliseconds(ms))
            : null;
    }
}

/// <summary>The SMS.ru texts whose status is still to be looked up (<see cref="SmsKeys.SmsRuPending"/>).</summary>
public sealed class SmsRuPending(IConnectionMultiplexer mux)
{
    /// <summary>The first look-up comes a few seconds after sending: delivery takes at least that long.</summary>
    public static readonly TimeSpan FirstCheck = TimeSpan.FromSeconds(5);

    private IDatabase Db => mux.GetDatabase();

    public Task AddAsync(IEnumerable<string> smsIds, DateTimeOffset sentAt)
    {
        var next = (sentAt + FirstCheck).ToUnixTimeMilliseconds();
        var entries = smsIds.Select(id => new SortedSetEntry(new PendingSms(id, sentAt).Member, next)).ToArray();
        return entries.Length == 0 ? Task.CompletedTask : Db.SortedSetAddAsync(SmsKeys.SmsRuPending, entries);
    }

    /// <summary>Texts due for a look-up now, those longest due first.</summary>
    public async Task<IReadOnlyList<PendingSms>> DueAsync(DateTimeOffset now, int take)
    {
        var members = await Db.SortedSetRangeByScoreAsync(SmsKeys.SmsRuPending, double.NegativeInfinity,
            now.ToUnixTimeMilliseconds(), take: take);
        return [.. members.Select(m => PendingSms.Parse(m.ToString())).OfType<PendingSms>()];
    }

    /// <summary>Moves the next look-up of texts still on their way (only of texts still pending: XX).</summary>
    public Task PostponeAsync(IEnumerable<(PendingSms Sms, DateTimeOffset Next)> texts)
    {
        var batch = Db.CreateBatch();
        var writes = texts.Select(t => batch.SortedSetAddAsync(SmsKeys.SmsRuPending, t.Sms.Member,
            t.Next.ToUnixTimeMilliseconds(), SortedSetWhen.Exists)).ToList();
        batch.Execute();
        return Task.WhenAll(writes);
    }

    public Task RemoveAsync(IEnumerable<PendingSms> texts)
    {
        var members = texts.Select(t => (RedisValue)t.Member).ToArray();
        return members.Length == 0 ? Task.CompletedTask : Db.SortedSetRemoveAsync(SmsKeys.SmsRuPending, members);
    }

    public Task<long> CountAsync() => Db.SortedSetLengthAsync(SmsKeys.SmsRuPending);

    /// <summary>
    /// When to look again: soon while a delivery is likely to arrive, rarely for a phone that is off
    /// (operators keep a text for up to a day or two).
    /// </summary>
    public static TimeSpan NextCheckAfter(TimeSpan age, TimeSpan poll) => age switch
    {
        _ when age < TimeSpan.FromMinutes(2) => poll,
        _ when age < TimeSpan.FromMinutes(30) => Max(poll, TimeSpan.FromSeconds(30)),
        _ when age < TimeSpan.FromHours(6) => Max(poll, TimeSpan.FromMinutes(5)),
        _ => Max(poll, TimeSpan.FromMinutes(30)),
    };

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
