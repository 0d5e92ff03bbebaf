using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.RegularExpressions;
using Ada.Core.Messages;

namespace Ada.Core.Schedules;

/// <summary>
/// A schedule id is <c>{ownerId}~{unixTimeNanoseconds}</c>, e.g. <c>t.lee~1732365600123456789</c>. The owner is
/// part of the id (who may see it is known without a read); the <c>~</c> keeps it apart from every message id
/// (<c>sender:nanos</c>), since a schedule's next occurrence sits in the same due index as messages. Like a
/// message id it hashes to a due shard's slot, so the schedule's keys and its due entry are in one slot.
/// </summary>
public static partial class ScheduleIds
{
    public const char Separator = '~';

    public static string New(string ownerId, TimeProvider time)
    {
        // Up to a second of randomness: schedules are made rarely, and a taken id is refused by schedule_create anyway.
        var nanos = (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100 + Random.Shared.Next(1_000_000_000);
        var head = ownerId + Separator;
        return head + MessageIds.NextAlignedAfter(head, nanos).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>True for a schedule id (cheap: message ids have no <c>~</c>); the couriers leave these to the schedulers.</summary>
    public static bool Is(string id) => id.Contains(Separator, StringComparison.Ordinal);

    public static bool TryParse(string? id, out string ownerId)
    {
        ownerId = "";
        if (id is null || IdPattern().Match(id) is not { Success: true } match)
        {
            return false;
        }
        ownerId = match.Groups["owner"].Value;
        return true;
    }

    /// <summary>
    /// The id of the message of one occurrence: the owner's, at the occurrence's instant plus up to a second chosen
    /// by the schedule id (two schedules of one owner firing at 08:00 get different ids), aligned to a due shard.
    /// The same schedule and instant always give the same id, so a second attempt after a crash is an idempotent
    /// retry of the same message, never a second one.
    /// </summary>
    public static string OccurrenceMessageId(string scheduleId, DateTimeOffset occurrence)
    {
        if (!TryParse(scheduleId, out var owner))
        {
            throw new ArgumentException($"{scheduleId} is not a schedule id", nameof(scheduleId));
        }
        var spread = Crc32.HashToUInt32(Encoding.UTF8.GetBytes(scheduleId)) % 1_000_000_000;
        var nanos = occurrence.ToUnixTimeMilliseconds() * 1_000_000 + spread;
        return $"{owner}:{MessageIds.NextAligned(owner, nanos)}";
    }

    [GeneratedRegex(@"^(?<owner>[A-Za-z0-9_.-]{1,64})~(?<nanos>[0-9]{1,20})\z")]
    private static partial Regex IdPattern();
}
