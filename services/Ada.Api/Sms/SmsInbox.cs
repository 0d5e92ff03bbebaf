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
    SmsReplies replies, IOptions<SmsOptions> sms, IOptions<AdaOptions> ada, TimeProvider time, ILogger<SmsInbox> logger)
{
    public const string UnknownSender = "unknown_sender";
    public const string Queued = "queued";
    public const string Refused = "refused";
    public const string Status = "status";
    public const string Cancel = "cancel";
    public const string Help = "help";

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
                return await SendAsync(caller, send, language);
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

    private async Task<string> SendAsync(Caller caller, SmsCommand.Send send, string language)
    {
        var resolved = await addressees.ResolveAsync(send, caller.Id);
        if (!resolved.IsComplete)
        {
            logger.LogInformation("Refused an SMS message from {Sender}: {Unknown} unknown and {Ambiguous} ambiguous addressees",
                caller.Id, resolved.Unknown.Count, resolved.Ambiguous.Count);
            await ReplyAsync(caller.Id, SmsReplies.Unresolved(resolved, language));
            return Refused;
        }
        var id = MessageIds.New(caller.Id, time);
        var code = await shortIds.ReserveAsync(caller.Id, id);
        var to = resolved.To;
        var body = new QueueBody(id, send.Text, new AddresseesBody([.. to.Users], [.. to.Groups], [.. to.Supergroups]), null, null, "sms");
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
