using System.Text;

namespace Ada.Core.Redis;

/// <summary>
/// Redis Cluster hash slots: CRC-16/XMODEM of a key's hash tag, modulo 16,384 (the Redis Cluster spec).
/// Ada needs it to make message ids whose slot is one of the due shards' slots, so that one script may
/// write a message and its due-index entry together.
/// </summary>
public static class HashSlots
{
    public const int Count = 16384;

    private static readonly ushort[] s_table = BuildTable();

    /// <summary>Slot → due shard (<c>due:{7}</c> has tag <c>7</c>), -1 for the slots of no shard.</summary>
    private static readonly int[] s_dueShardBySlot = BuildDueShards();

    /// <summary>The slot of a hash tag (the text between a key's braces), e.g. a message id.</summary>
    public static int Of(string tag) => Update(0, Encoding.UTF8.GetBytes(tag)) % Count;

    /// <summary>The due shard whose tag hashes to <paramref name="slot"/>, or null.</summary>
    public static int? DueShardOfSlot(int slot) => s_dueShardBySlot[slot] is var shard and >= 0 ? shard : null;

    public static bool IsDueShardSlot(int slot) => s_dueShardBySlot[slot] >= 0;

    /// <summary>Continues a CRC-16/XMODEM over more bytes (start from 0).</summary>
    public static ushort Update(ushort crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            crc = (ushort)((crc << 8) ^ s_table[((crc >> 8) ^ b) & 0xFF]);
        }
        return crc;
    }

    public static ushort Update(ushort crc, byte b) => (ushort)((crc << 8) ^ s_table[((crc >> 8) ^ b) & 0xFF]);

    private static int[] BuildDueShards()
    {
        var shards = new int[Count];
        Array.Fill(shards, -1);
        for (var shard = 0; shard < Keys.DueShards; shard++)
        {
            shards[Of(shard.ToString(System.Globalization.CultureInfo.InvariantCulture))] = shard;
        }
        return shards;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
            table[i] = crc;
        }
        return table;
    }
}
