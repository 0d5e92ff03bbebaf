using System.Text.RegularExpressions;

namespace Ada.Core.Messages;

/// <summary>
/// A message id is <c>{senderId}:{unixTimeNanoseconds}</c>, e.g. <c>42:1732365600123456789</c>.
/// The sender is part of the id, so who owns a message is known without a read.
/// </summary>
public static partial class MessageIds
{
    private static long s_last;

    public static string New(string senderId, TimeProvider time)
    {
        // Ticks give 100 ns; the last two digits and a process-wide monotonic step keep ids unique
        // when one sender queues several messages within the same tick.
        var nanos = (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100 + Random.Shared.Next(100);
        long last, next;
        do
        {
            last = Interlocked.Read(ref s_last);
            next = Math.Max(nanos, last + 1);
        }
        while (Interlocked.CompareExchange(ref s_last, next, last) != last);
        return $"{senderId}:{next}";
    }

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
