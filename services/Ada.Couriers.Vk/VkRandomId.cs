using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ada.Couriers.Vk;

/// <summary>
/// The <c>random_id</c> of one <c>messages.send</c> call. VK keeps the first message sent with a random_id
/// and answers a resend with the same one instead of delivering it again, so the id must be the same
/// whenever the same call is made again: after a timeout, an error 10, or a courier that crashed before it
/// recorded the receipts. It is derived from what the call is (message, channel, text part, recipients in
/// order), never from the attempt. The schema types random_id as a plain integer (int32), so it is a
/// positive int32 (0 would turn deduplication off).
/// </summary>
public static class VkRandomId
{
    public static int For(string messageId, int part, int parts, IReadOnlyList<long> peerIds)
    {
        var key = new StringBuilder(messageId.Length + 16 + peerIds.Count * 11)
            .Append(messageId).Append('\n').Append("vk").Append('\n')
            .Append(part.ToString(CultureInfo.InvariantCulture)).Append('/').Append(parts.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .AppendJoin(',', peerIds.Select(p => p.ToString(CultureInfo.InvariantCulture)))
            .ToString();
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        var id = (int)(BinaryPrimitives.ReadUInt32BigEndian(hash) & 0x7FFF_FFFF);
        return id == 0 ? 1 : id;
    }
}
