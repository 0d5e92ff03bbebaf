using System.ComponentModel.DataAnnotations;

namespace Ada.Couriers.Vk;

/// <summary>Section <c>Vk</c>: the community token, where the VK API is, and how fast to send.</summary>
public sealed class VkOptions
{
    public const string Section = "Vk";

    [Required(ErrorMessage = "Vk:Token is required (environment variable Vk__Token): the community access token with the 'messages' permission.")]
    public string Token { get; set; } = "";

    /// <summary>The method name is appended: <c>https://api.vk.com/method/messages.send</c>.</summary>
    [Required, Url]
    public string BaseUrl { get; set; } = "https://api.vk.com/method/";

    [Required]
    public string ApiVersion { get; set; } = "5.199";

    /// <summary>HTTP requests per second, all instances together (an <c>execute</c> counts as one). Community tokens get 20; 0 = unpaced.</summary>
    [Range(0, 10_000)]
    public double RequestsPerSecond { get; set; } = 20;

    /// <summary>Requests in flight at once, per instance.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 4;

    [Range(1, 300)]
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Times one request is sent when VK or the network fails it as a whole (timeout, 5xx, errors 6/9/10/29),
    /// the same request each time, before its recipients go back to the runtime's retry queue.
    /// </summary>
    [Range(1, 10)]
    public int RequestAttempts { get; set; } = 3;
}
