using System.Text;
using Ada.Core;
using Ada.Core.Couriers;
using Ada.Core.Directory;
using Ada.Core.Messages;
using StackExchange.Redis;

namespace Ada.Api.Sms;

/// <summary>
/// The gateway's delivery reports, applied to the receipt the SMS courier wrote: <c>sms:delivered</c> moves
/// it from <c>sent</c> to <c>delivered</c>, <c>sms:failed</c> to <c>failed</c> with the gateway's reason (the
/// history's counts follow, <c>lua/update_receipt.lua</c>); <c>sms:sent</c> adds nothing to what the courier
/// recorded. The receipt is found by the gateway's message id, as the courier remembered it
/// (<c>providerref:sms:…</c>, built by <see cref="SmsProviderIds"/>): <c>{messageId}:+{digits}</c>, since one
/// gateway message may go to several numbers; then the bare <c>{messageId}</c>.
/// </summary>
public sealed class SmsReports(CourierStore couriers, IConnectionMultiplexer mux, TimeProvider time, ILogger<SmsReports> logger)
{
    public const string Ignored = "ignored";
    public const string Updated = "updated";
    public const string Unchanged = "unchanged";
    public const string UnknownMessage = "unknown_message";

    /// <summary>The receipt is not written yet (the courier reports a batch after sending it): the gateway should retry.</summary>
    public const string NotYet = "not_yet";

    /// <summary>The error class a failed delivery counts under in the history's <c>errors</c>.</summary>
    public const string Undelivered = "undelivered";

    public async Task<string> ApplyAsync(string @event, SmsWebhookPayload payload)
    {
        if (@event == SmsEvents.Sent)
        {
            return Ignored;
        }
        if (await FindAsync(payload.MessageId!, payload.PhoneNumber) is not { } found)
        {
            logger.LogInformation("Ignored an SMS {Event} report for gateway message {ProviderMessageId}, which no receipt names",
                @event, payload.MessageId);
            return UnknownMessage;
        }
        var (id, userId) = found;
        var delivered = @event == SmsEvents.Delivered;
        var reason = delivered ? null : Reason(payload.Reason);
        var status = delivered ? ReceiptStatus.Delivered : ReceiptStatus.Failed;
        switch (await couriers.UpdateReceiptAsync(id, Channels.Sms, userId, status, reason, delivered ? null : Undelivered, time.GetUtcNow()))
        {
            case ReceiptUpdate.Updated:
                logger.LogInformation("SMS of {MessageId} to {UserId} {Status} per the gateway", id, userId, status);
                return Updated;
            // No receipt yet while the message exists: the courier reports its batch after sending it.
            case ReceiptUpdate.Missing when await mux.GetDatabase().KeyExistsAsync(Keys.History(id)):
                return NotYet;
            default:
                return Unchanged;
        }
    }

    private async Task<(string Id, string UserId)?> FindAsync(string messageId, string? phoneNumber)
    {
        var keys = new List<string>();
        if (!string.IsNullOrWhiteSpace(phoneNumber))
        {
            keys.Add(SmsProviderIds.AndroidGateway(messageId, phoneNumber));
            if (PhoneNumbers.Normalize(phoneNumber) is { } phone)
            {
                // A national form in the report ("8999…") while the courier sent to "+7999…".
                keys.Add(SmsProviderIds.AndroidGateway(messageId, phone));
            }
        }
        keys.Add(messageId);
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            if (await couriers.FindByProviderIdAsync(Channels.Sms, key) is { } found)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>The gateway's reason, kept short and printable.</summary>
    private static string Reason(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return "the gateway reported the SMS failed";
        }
        var text = new StringBuilder();
        foreach (var c in reason.Trim().Take(200))
        {
            text.Append(char.IsControl(c) ? ' ' : c);
        }
        return text.ToString();
    }
}
