namespace Ada.Couriers.Vk;

/// <summary>
/// VK's error codes (VKCOM/vk-api-schema errors.json) and what each means for a receipt. Codes of a whole
/// request and codes of one person are read differently: a request-wide error not listed here is retried
/// (it may be a passing fault or a misconfigured token — either way the runtime gives up after its
/// attempts, with VK's reason); a person's error not listed here fails that person with VK's reason.
/// </summary>
internal static class VkErrors
{
    public const int UnknownError = 1;
    public const int TooManyRequests = 6;
    public const int FloodControl = 9;
    public const int InternalServerError = 10;
    public const int UserDeleted = 18;
    public const int RateLimitReached = 29;
    public const int Blacklisted = 900;
    public const int NotAllowed = 901;
    public const int Privacy = 902;
    public const int MessageTooLong = 914;
    public const int UserDeactivated = 3610;

    public static bool IsThrottle(int code) => code is TooManyRequests or FloodControl or RateLimitReached;

    /// <summary>Worth sending the same request again within seconds.</summary>
    public static bool IsTransient(int code) => code is TooManyRequests or InternalServerError or UnknownError;

    /// <summary>The request failed as a whole: nobody in it was sent to.</summary>
    public static PeerResult ForRequest(VkError error) => error.Code switch
    {
        _ when IsThrottle(error.Code) => new PeerResult.Retry("throttled", Reason(error), ThrottleWait(error.Code), true),
        _ => new PeerResult.Retry($"provider_{error.Code}", Reason(error), null, false),
    };

    /// <summary>VK said this about one person (a peer's <c>error</c>, or the <c>execute_errors</c> entry of their call).</summary>
    public static PeerResult ForPeer(VkError error) => error.Code switch
    {
        NotAllowed => new PeerResult.Failed("not_allowed", $"has not allowed messages from the community ({Reason(error)})", Deactivate: true),
        Blacklisted => new PeerResult.Failed("blacklisted", $"has blacklisted the community ({Reason(error)})"),
        Privacy => new PeerResult.Failed("privacy", $"does not take messages from the community: privacy settings ({Reason(error)})"),
        UserDeleted => new PeerResult.Failed("deleted", $"the VK page is deleted or banned ({Reason(error)})", Deactivate: true),
        UserDeactivated => new PeerResult.Failed("deactivated", $"the VK page is deactivated ({Reason(error)})", Deactivate: true),
        _ when IsThrottle(error.Code) || IsTransient(error.Code) || error.Code == 0 => ForRequest(error),
        _ => new PeerResult.Failed("rejected", Reason(error)),
    };

    private static string Reason(VkError error) =>
        error.Message.Length == 0 ? $"VK error {error.Code}" : $"VK error {error.Code}: {error.Message}";

    /// <summary>6: a second (the shared bucket pauses too); 9 (flood control): ten; 29 (a method's daily quota): a minute.</summary>
    private static TimeSpan ThrottleWait(int code) => code switch
    {
        TooManyRequests => TimeSpan.FromSeconds(1),
        FloodControl => TimeSpan.FromSeconds(10),
        _ => TimeSpan.FromMinutes(1),
    };
}
