using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ada.Couriers.Vk;

/// <summary>One <c>messages.send</c> call: one text to at most 100 peers, with its <c>random_id</c>.</summary>
public sealed record VkSendCall(IReadOnlyList<long> PeerIds, string Message, int RandomId)
{
    public const int MaxPeers = 100;
}

/// <summary>
/// The VKScript <c>code</c> of an <c>execute</c> that makes up to 25 <c>messages.send</c> calls:
/// <c>return [API.messages.send({"peer_ids":"1,2","message":"…","random_id":123}),…];</c> — the form VK
/// documents, plain calls with JSON object literals, so any VK-compatible server runs it. The literals are
/// written by System.Text.Json: quotes, backslashes, line breaks and control characters are escaped;
/// Cyrillic stays as it is (a third of the size of \u escapes), characters outside the BMP become
/// \uXXXX surrogate pairs.
/// </summary>
public static class VkExecuteCode
{
    /// <summary>VK runs at most 25 API calls per execute.</summary>
    public const int MaxCalls = 25;

    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Build(IReadOnlyList<VkSendCall> calls)
    {
        if (calls.Count is 0 or > MaxCalls)
        {
            throw new ArgumentOutOfRangeException(nameof(calls), calls.Count, $"An execute makes 1 to {MaxCalls} calls.");
        }
        var code = new StringBuilder("return [");
        for (var i = 0; i < calls.Count; i++)
        {
            code.Append(i == 0 ? "" : ",").Append("API.messages.send(").Append(Arguments(calls[i])).Append(')');
        }
        return code.Append("];").ToString();
    }

    /// <summary>The call's arguments as a JSON object literal; peer_ids comma-separated, as on the wire.</summary>
    public static string Arguments(VkSendCall call)
    {
        if (call.PeerIds.Count is 0 or > VkSendCall.MaxPeers)
        {
            throw new ArgumentOutOfRangeException(nameof(call), call.PeerIds.Count, $"messages.send takes 1 to {VkSendCall.MaxPeers} peer_ids.");
        }
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Writer))
        {
            json.WriteStartObject();
            json.WriteString("peer_ids", string.Join(',', call.PeerIds.Select(p => p.ToString(CultureInfo.InvariantCulture))));
            json.WriteString("message", call.Message);
            json.WriteNumber("random_id", call.RandomId);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
