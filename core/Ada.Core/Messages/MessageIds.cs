using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Ada.Core.Redis;

namespace Ada.Core.Messages;

/// <summary>
/// A message id is <c>{senderId}:{unixTimeNanoseconds}</c>, e.g. <c>42:1732365600123456789</c>.
/// The sender is part of the id, so who owns a message is known without a read. The nanoseconds are
/// nudged forward (by about a microsecond) until the id hashes to the slot of one of the due shards,
/// so in a Redis Cluster a message's keys and its due-index entry are in one slot.
/// </summary>
public static partial class MessageIds
{
    private static long s_last;

    public static string New(string senderId, TimeProvider time)
    {
        // Ticks give 100 ns; up to 100 µs of randomness keeps two API instances queueing for one sender at
        // once apart, and a process-wide monotonic step keeps one instance's ids unique.
        var nanos = (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100 + Random.Shared.Next(100_000);
        long last, next;
        do
        {
            last = Interlocked.Read(ref s_last);
            next = NextAligned(senderId, Math.Max(nanos, last + 1));
        }
        while (Interlocked.CompareExchange(ref s_last, next, last) != last);
        return $"{senderId}:{next}";
    }

    /// <summary>CRC-16 of the three-digit endings 000…999 from a zero state.</summary>
    private static readonly ushort[] s_endings = [.. Enumerable.Range(0, 1000)
        .Select(k => HashSlots.Update(0, Encoding.ASCII.GetBytes(k.ToString("000", CultureInfo.InvariantCulture))))];

    /// <summary>
    /// The smallest n ≥ <paramref name="from"/> (≥ 1000) whose id <c>sender:n</c> hashes to a due shard's slot;
    /// one number in 1,024 does. CRC-16 is linear: the CRC of head + ending is the CRC of head + "\0\0\0" XOR
    /// the ending's own CRC, so each candidate ending costs one XOR and one look-up (about 2 µs an id).
    /// </summary>
    public static long NextAligned(string senderId, long from) => NextAlignedAfter(senderId + ":", from);

    /// <summary>The smallest n ≥ <paramref name="from"/> (≥ 1000) whose id <c>{idHead}{n}</c> hashes to a due shard's slot.</summary>
    public static long NextAlignedAfter(string idHead, long from)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(from, 1000);
        var prefix = HashSlots.Update(0, Encoding.UTF8.GetBytes(idHead));
        for (var block = from / 1000; ; block++)
        {
            var head = HashSlots.Update(prefix, Encoding.ASCII.GetBytes(block.ToString(CultureInfo.InvariantCulture)));
            var padded = HashSlots.Update(HashSlots.Update(HashSlots.Update(head, 0), 0), 0);
            for (var k = block == from / 1000 ? (int)(from % 1000) : 0; k < 1000; k++)
            {
                if (HashSlots.IsDueShardSlot((padded ^ s_endings[k]) % HashSlots.Count))
                {
                    return block * 1000 + k;
                }
            }
        }
    }

    /// <summary>True when the id hashes to a due shard's slot, as every id Ada makes does.</summary>
    public static bool IsSlotAligned(string id) => HashSlots.IsDueShardSlot(HashSlots.Of(id));

    public static bool TryParse(string? id, out string senderId)
    {
        senderId = "";
        if (id is null)
        {
            return false;
        }
        var match = IdPattern().Match(id);
        if (!match.Success)
        {
            return false;
        }
        senderId = match.Groups["sender"].Value;
        return true;
    }

    /// <summary>User, group and supergroup ids: letters, digits, '_', '-', '.'; they end up inside key names.</summary>
    public static bool IsValidEntityId(string? id) => id is not null && EntityPattern().IsMatch(id);

    [GeneratedRegex(@"^(?<sender>[A-Za-z0-9_.-]{1,64}):(?<nanos>[0-9]{1,20})\z")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,64}\z")]
    private static partial Regex EntityPattern();
}
