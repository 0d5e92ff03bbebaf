using Ada.Core.Directory;

namespace Ada.Couriers.Sms;

/// <summary>What a gateway said about one number of a send request.</summary>
public abstract record SmsSendResult
{
    /// <summary>Taken for delivery; <paramref name="ProviderMessageId"/> is what its delivery reports will name.</summary>
    public sealed record Accepted(string? ProviderMessageId) : SmsSendResult;

    /// <summary>Will never go to this number as it is. <paramref name="Deactivate"/>: the number's owner refuses texts.</summary>
    public sealed record Rejected(string ErrorClass, string Reason, bool Deactivate = false) : SmsSendResult;

    /// <summary>Try again later: after <paramref name="After"/> when the gateway said so, else with backoff.</summary>
    public sealed record Transient(string ErrorClass, string Reason, TimeSpan? After = null, bool Throttled = false) : SmsSendResult;
}

/// <summary>
/// One SMS gateway's send API: the text to several numbers at once, one result per number (in order).
/// Failures of the whole request (network, 5xx, refused credentials) come back as a result for every
/// number, never as an exception.
/// </summary>
public interface ISmsGateway
{
    string Name { get; }

    /// <summary>Numbers one request may carry.</summary>
    int MaxRecipientsPerRequest { get; }

    /// <summary>
    /// True when delivery reports must be looked up (SMS.ru <c>/sms/status</c>); false when the gateway
    /// posts them to Ada's webhooks (Android gateway <c>sms:delivered</c> / <c>sms:failed</c>).
    /// </summary>
    bool PollsDeliveryStatus { get; }

    /// <param name="text">The text, the same to every number.</param>
    /// <param name="phoneNumbers">Normalized (<see cref="PhoneNumbers.Normalize"/>), no number twice.</param>
    /// <param name="requestKey">
    /// Names what is being sent: the same when the caller tries the same people again with the same message, different
    /// for another message or other people (<see cref="SmsSender.RequestKey"/>). A gateway with an idempotency key
    /// derives it from this, the text and the numbers (<see cref="AndroidGatewayClient.MessageId"/>), so a retry after
    /// an answer that never came is recognised rather than texted twice. SMS.ru has no such key and ignores it.
    /// </param>
    Task<IReadOnlyList<SmsSendResult>> SendAsync(string text, IReadOnlyList<string> phoneNumbers, string requestKey,
        CancellationToken cancellationToken);
}
