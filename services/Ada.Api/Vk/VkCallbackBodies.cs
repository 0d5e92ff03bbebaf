using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ada.Api.Vk;

/// <summary>
/// A VK Callback API request: <c>{"type","group_id","event_id","v","object","secret"}</c>. The shape of
/// <c>object</c> (<see cref="Payload"/>) depends on <c>type</c>.
/// </summary>
public sealed record VkEvent(
    string? Type,
    [property: JsonPropertyName("group_id")] long? GroupId,
    [property: JsonPropertyName("event_id")] string? EventId,
    string? V,
    [property: JsonPropertyName("object")] JsonElement? Payload,
    string? Secret);

/// <summary>
/// <c>POST /v1/users/{userId}/link-codes</c>: the code to send to the community, when it stops working, and the
/// Telegram deep link that links a chat with it (absent while the bot is off).
/// </summary>
public sealed record LinkCodeAnswer(
    string Code,
    string ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TelegramLink = null);
