using System.Globalization;
using Ada.Core.Messages;
using Ada.Core.Redis;
using StackExchange.Redis;

namespace Ada.Core.Schedules;

public enum ScheduleChange { Changed, Unchanged, Ended, Missing }

/// <summary>Schedules in Redis: each change one Lua script in the schedule's slot; the id index beside it.</summary>
public sealed class ScheduleStore(IConnectionMultiplexer mux, AdaScripts scripts)
{
    /// <summary>How many past occurrences a schedule keeps.</summary>
    public const int OccurrencesKept = 50;

    private IDatabase Db => mux.GetDatabase();

    /// <summary>False when the id is taken (then make another).</summary>
    public async Task<bool> CreateAsync(ScheduleDefinition definition, DateTimeOffset first, DateTimeOffset now)
    {
        var id = definition.Id;
        var result = await scripts.RunAsync(Db, Script.ScheduleCreate,
            [Keys.Schedule(id), Keys.Delivery(id), Keys.DueFor(id)],
            [id, AdaJson.Serialize(definition), first.ToUnixTimeMilliseconds()]);
        if (result.ToString() != "ok")
        {
            return false;
        }
        // Another slot than the schedule's: a crash between the two leaves a schedule that fires but is not listed.
        await Db.SortedSetAddAsync(Keys.Schedules, id, now.ToUnixTimeMilliseconds());
        return true;
    }

    public async Task<Schedule?> GetAsync(string id) => Parse(id, await Db.HashGetAsync(Keys.Schedule(id), Fields));

    /// <summary>The schedule and its occurrences as of one moment (MULTI: an advance cannot fall between the two reads).</summary>
    public async Task<(Schedule? Schedule, IReadOnlyList<Occurrence> Occurrences)> GetWithOccurrencesAsync(string id)
    {
        var transaction = Db.CreateTransaction();
        var fields = transaction.HashGetAsync(Keys.Schedule(id), Fields);
        var occurrences = transaction.ListRangeAsync(Keys.Occurrences(id));
        await transaction.ExecuteAsync();
        return (Parse(id, await fields), [.. (await occurrences).Select(o => AdaJson.Deserialize<Occurrence>(o.ToString())!)]);
    }

    private static readonly RedisValue[] Fields = ["definition", "state", "next"];

    private static Schedule? Parse(string id, RedisValue[] fields)
    {
        if (fields[0].IsNull)
        {
            return null;
        }
        var next = fields[2].IsNullOrEmpty ? (long?)null : long.Parse(fields[2].ToString(), CultureInfo.InvariantCulture);
        var definition = AdaJson.Deserialize<ScheduleDefinition>(fields[0].ToString())
            ?? throw new InvalidOperationException($"Schedule {id} has no definition");
        return new Schedule(definition, fields[1].ToString(), next);
    }

    /// <summary>Schedule ids, oldest first; those of one owner when <paramref name="ownerId"/> is given.</summary>
    public async Task<IReadOnlyList<string>> ListIdsAsync(string? ownerId)
    {
        var ids = (await Db.SortedSetRangeByRankAsync(Keys.Schedules)).Select(i => i.ToString());
        return [.. ownerId is null ? ids : ids.Where(i => ScheduleIds.TryParse(i, out var owner) && owner == ownerId)];
    }

    /// <summary>Takes the lease of firing a due schedule; false when another instance holds it.</summary>
    public Task<bool> TryClaimAsync(string id, string owner, TimeSpan lease) =>
        Db.StringSetAsync(Keys.ScheduleClaim(id), owner, lease, When.NotExists);

    /// <summary>
    /// Records the occurrences of the tick at <paramref name="tickMs"/> and sets the next tick (none: the schedule
    /// ends). False when the tick was no longer the schedule's (advanced by another instance, paused, deleted).
    /// </summary>
    public async Task<bool> AdvanceAsync(string id, long tickMs, string owner, DateTimeOffset? next, IReadOnlyList<Occurrence> occurrences)
    {
        RedisValue[] args =
        [
            id, tickMs, owner, next is { } n ? n.ToUnixTimeMilliseconds() : "", OccurrencesKept,
            .. occurrences.TakeLast(OccurrencesKept).Select(o => (RedisValue)AdaJson.Serialize(o)),
        ];
        var result = await scripts.RunAsync(Db, Script.ScheduleAdvance,
            [Keys.Schedule(id), Keys.Occurrences(id), Keys.Delivery(id), Keys.DueFor(id), Keys.ScheduleClaim(id)], args);
        return result.ToString() == "ok";
    }

    public Task<(ScheduleChange Change, string State)> PauseAsync(string id) => ChangeStateAsync(id, "pause", "");

    /// <param name="next">The next occurrence from now; null when none is left (the schedule ends).</param>
    public Task<(ScheduleChange Change, string State)> ResumeAsync(string id, DateTimeOffset? next) =>
        ChangeStateAsync(id, "resume", next is { } n ? n.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "");

    public async Task<bool> DeleteAsync(string id)
    {
        var existed = (long)await scripts.RunAsync(Db, Script.ScheduleDelete,
            [Keys.Schedule(id), Keys.Occurrences(id), Keys.Delivery(id), Keys.DueFor(id), Keys.ScheduleClaim(id)], [id]);
        await Db.SortedSetRemoveAsync(Keys.Schedules, id);
        return existed == 1;
    }

    private async Task<(ScheduleChange, string)> ChangeStateAsync(string id, string action, string next)
    {
        var result = (RedisResult[])(await scripts.RunAsync(Db, Script.ScheduleState,
            [Keys.Schedule(id), Keys.Delivery(id), Keys.DueFor(id)], [id, action, next]))!;
        var change = result[0].ToString() switch
        {
            "ok" => ScheduleChange.Changed,
            "unchanged" => ScheduleChange.Unchanged,
            "ended" => ScheduleChange.Ended,
            _ => ScheduleChange.Missing,
        };
        return (change, result[1].ToString());
    }
}
