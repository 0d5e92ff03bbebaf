using Ada.Api.Auth;
using Ada.Api.Messages;
using Ada.Core.Couriers;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Microsoft.Extensions.Options;

namespace Ada.Api.Sms;

/// <summary>
/// An SMS someone sent to Ada's gateway phone: who sent it (by number, <c>address:sms</c>), what it asks
/// (<see cref="SmsGrammar"/>), and Ada's answer by SMS. A message goes through <see cref="MessageQueue"/>,
/// the same path and limits as <c>POST /v1/queue</c>, with origin <c>sms</c> and a short code. Answers are
/// queued as urgent messages to the sender on the SMS channel only, from <c>Sms:ReplySender</c>. Only
/// queueing happens here, so the gateway gets its 2xx in milliseconds.
/// </summary>
public sealed class SmsInbox(
    DirectoryStore directory, MessageStore messages, MessageQueue queue, CourierRegistry couriers,
    SmsAddressees addressees, ShortIds shortIds, UnknownSenders unknownSenders, SmsReplyBudget replyBudget,
    SmsReplies replies, SmsConfirmations confirmations, AttemptLimiter attempts, IOptions<SmsOptions> sms, IOptions<AdaOptions> ada,
    IOptions<LimitsOptions> limits, TimeProvider time, ILogger<SmsInbox> logger)
{
    public const string UnknownSender = "unknown_sender";
    public const string Queued = "queued";
    public const string Refused = "refused";
    public const string Status = "status";
    public const string Cancel = "cancel";
    public const string Help = "help";
    /// <summary>A message to many people, waiting for <c>YES code</c>.</summary>
    public const string Confirm = "confirm";

    /// <summary>The <see cref="AttemptLimiter"/> kind of confirmation codes, counted per number.</summary>
    public const string ConfirmAttempts = "smsconfirm";

    private string ReplySender => sms.Value.ReplySender ?? ada.Value.AdminUserId;

    /// <summary>Handles one SMS; returns what was done (one of the constants above).</summary>
    public async Task<string> HandleAsync(string? phoneNumber, string text)
    {
        var phone = PhoneNumbers.Normalize(phoneNumber);
        if (phone is null || await SenderAsync(phone) is not { } user)
        {
            unknownSenders.Refuse(phone ?? "(no number)", text.Length);
            return UnknownSender;
        }
        var language = Languages.Of(user.Language);
        if (user.Role == Roles.Student)
        {
            logger.LogInformation("Refused an SMS from {UserId}: students cannot send", user.Id);
            await ReplyAsync(user.Id, SmsReplies.Student(language));
            return Refused;
        }
        var caller = new Caller(user.Id, user.Role);
        switch (SmsGrammar.Parse(text))
        {
            case SmsCommand.Send send:
                return await SendAsync(caller, phone, send, language);
            case SmsCommand.Confirm confirm:
                return await ConfirmAsync(caller, phone, confirm.Code, language);
            case SmsCommand.Status status:
                return await StatusAsync(caller, status.Code, language);
            case SmsCommand.Cancel cancel:
                return await CancelAsync(caller, cancel.Code, language);
            case SmsCommand.Help help:
                logger.LogInformation("Answered an SMS from {UserId} with the grammar ({Problem})", user.Id,
                    help.Problem?.ToString() ?? "asked for help");
                await ReplyAsync(user.Id, SmsReplies.Help(help.Problem, language));
                return help.Problem is null ? Help : Refused;
            default:
                throw new InvalidOperationException("SmsGrammar returned an unknown command.");
        }
    }

    /// <summary>The user whose SMS contact is this number; the index is a hint, the user's document decides.</summary>
    private async Task<User?> SenderAsync(string phone) =>
        await directory.FindByAddressAsync(Channels.Sms, phone) is { } userId
        && await directory.GetUserAsync(userId) is { } user
        && user.Contacts.TryGetValue(Channels.Sms, out var contact) && contact == phone
            ? user
            : null;

    private async Task<string> SendAsync(Caller caller, string phone, SmsCommand.Send send, string language)
    {
        var resolved = await addressees.ResolveAsync(send, caller.Id);
        if (!resolved.IsComplete)
        {
            logger.LogInformation("Refused an SMS message from {Sender}: {Unknown} unknown and {Ambiguous} ambiguous addressees",
                caller.Id, resolved.Unknown.Count, resolved.Ambiguous.Count);
            await ReplyAsync(caller.Id, SmsReplies.Unresolved(resolved, language));
            return Refused;
        }
        var to = resolved.To;
        var body = new QueueBody(MessageIds.New(caller.Id, time), send.Text,
            new AddresseesBody([.. to.Users], [.. to.Groups], [.. to.Supergroups]), null, null, "sms");
        if (await NeedsConfirmationAsync(caller, body) is { } recipients)
        {
            var confirmCode = await confirmations.PutAsync(phone, new PendingSms(caller.Id, body));
            logger.LogInformation("An SMS message from {Sender} to {Recipients} recipients waits for confirmation", caller.Id, recipients);
            await ReplyAsync(caller.Id, SmsReplies.ConfirmFirst(recipients, confirmCode, sms.Value.ConfirmMinutes, language));
            return Confirm;
        }
        return await QueueAsync(caller, body, language);
    }

    /// <summary>
    /// The number of people when the message would be queued and reaches more than <c>Sms:ConfirmAbove</c>;
    /// null when it is sent (or refused) at once.
    /// </summary>
    private async Task<int?> NeedsConfirmationAsync(Caller caller, QueueBody body)
    {
        var above = sms.Value.ConfirmAbove;
        if (above == 0)
        {
            return null;
        }
        var (refusal, recipients) = await queue.PreviewAsync(caller, body);
        var limit = limits.Value.For(caller.Role).RecipientsPerMessage;
        // Refused anyway (also over the role's recipient limit): the refusal is the answer, not a question.
        return refusal is null && recipients > above && (limit == 0 || recipients <= limit) ? recipients : null;
    }

    /// <summary>
    /// <c>YES code</c> from the number the message was sent from: queues the waiting message once. A wrong
    /// code counts against the number (<see cref="AttemptLimiter"/>): a forger who does not see Ada's answer
    /// cannot guess it.
    /// </summary>
    private async Task<string> ConfirmAsync(Caller caller, string phone, string typed, string language)
    {
        if (await attempts.IsBlockedAsync(ConfirmAttempts, phone))
        {
            await ReplyAsync(caller.Id, SmsReplies.ConfirmationBlocked(language));
            return Refused;
        }
        var (outcome, pending) = await confirmations.TakeAsync(phone, caller.Id, typed);
        switch (outcome)
        {
            case SmsConfirmation.Taken:
                await attempts.ResetAsync(ConfirmAttempts, phone);
                logger.LogInformation("Confirmed an SMS message from {Sender}", caller.Id);
                return await QueueAsync(caller, pending!.Body, language);
            case SmsConfirmation.WrongCode:
                await attempts.RecordFailureAsync(ConfirmAttempts, phone);
                await ReplyAsync(caller.Id, SmsReplies.WrongConfirmation(language));
                return Refused;
            default:
                await ReplyAsync(caller.Id, SmsReplies.NothingToConfirm(sms.Value.ConfirmMinutes, language));
                return Refused;
        }
    }

    /// <summary>Queues a message of the sender with a short code, and answers with the code or the refusal.</summary>
    private async Task<string> QueueAsync(Caller caller, QueueBody body, string language)
    {
        var code = await shortIds.ReserveAsync(caller.Id, body.Id!);
        QueueResult result;
        try
        {
            result = await queue.QueueAsync(caller, body, code);
        }
        catch
        {
            await shortIds.ReleaseAsync(caller.Id, code);
            throw;
        }
        if (result.Refusal is { } refusal)
        {
            await shortIds.ReleaseAsync(caller.Id, code);
            logger.LogInformation("Refused an SMS message from {Sender}: {Reason}", caller.Id, refusal.Code);
            await ReplyAsync(caller.Id, replies.NotSent(refusal, language));
            return Refused;
        }
        await ReplyAsync(caller.Id, replies.Accepted(code, result.Answer!, language));
        return Queued;
    }

    private async Task<string> StatusAsync(Caller caller, string typed, string language)
    {
        if (await FindAsync(caller, typed) is not { } id || await messages.GetHistoryAsync(id) is not { } history)
        {
            await ReplyAsync(caller.Id, SmsReplies.UnknownCode(typed, language));
            return Refused;
        }
        await ReplyAsync(caller.Id, replies.Status(ShortIds.Normalize(typed) ?? typed, history, language));
        return Status;
    }

    /// <summary>Only the sender's own messages: an SMS's originator can be forged, so a staff number cancels nothing else by SMS.</summary>
    private async Task<string> CancelAsync(Caller caller, string typed, string language)
    {
        if (await FindAsync(caller, typed) is not { } id || !MessageIds.TryParse(id, out var sender) || sender != caller.Id)
        {
            await ReplyAsync(caller.Id, SmsReplies.UnknownCode(typed, language));
            return Refused;
        }
        var code = ShortIds.Normalize(typed) ?? typed;
        var outcome = await messages.CancelAsync(id, time.GetUtcNow());
        if (outcome.Status == ChangeStatus.Missing)
        {
            await ReplyAsync(caller.Id, SmsReplies.UnknownCode(typed, language));
            return Refused;
        }
        if (outcome.Changed)
        {
            logger.LogInformation("Cancelled {MessageId} by SMS from {Sender}", id, caller.Id);
        }
        await ReplyAsync(caller.Id, outcome.Changed
            ? SmsReplies.Cancelled(code, language)
            : SmsReplies.NotCancelled(code, outcome.State, language));
        return Cancel;
    }

    /// <summary>The message a code names, when the caller may see it (their own; staff and admins may give any full id).</summary>
    private async Task<string?> FindAsync(Caller caller, string typed) =>
        await shortIds.ResolveAsync(caller.Id, typed) is { } id && MessageIds.TryParse(id, out var sender) && caller.MayActFor(sender)
            ? id
            : null;

    /// <summary>
    /// Ada's answer: a system message, so urgent (it must not wait for the morning) and sent with the admin
    /// role as <c>Sms:ReplySender</c>, on the SMS channel only, cut to what the channel accepts; at most
    /// <c>Sms:RepliesPerHour</c> a person (<see cref="SmsReplyBudget"/>).
    /// </summary>
    private async Task ReplyAsync(string userId, string text)
    {
        if (!await replyBudget.TakeAsync(userId))
        {
            return;
        }
        var fitted = SmsReplies.Fit(text, await couriers.GetLimitsAsync(Channels.Sms));
        var body = new QueueBody(null, fitted, new AddresseesBody([userId], null, null), null, true, "sms", [Channels.Sms]);
        var result = await queue.QueueAsync(new Caller(ReplySender, Roles.Admin), body);
        if (result.Refusal is { } refusal)
        {
            logger.LogWarning("Could not queue the SMS answer to {UserId}: {Reason}", userId, refusal.Code);
        }
    }
}
