using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Ada.Sandbox.Email;
using Ada.Sandbox.Sms;
using Ada.Sandbox.Telegram;
using Ada.Sandbox.Vk;

namespace Ada.Sandbox;

public sealed record InboxMessageView(
    string Channel, string ChatId, long MessageId, string Text, string ReceivedAt, long ReceivedAtUnixMs, string? ProviderMessageId = null,
    string? Subject = null);

public sealed record InboxPageView(int Total, IReadOnlyList<InboxMessageView> Messages);

public sealed record SandboxStatsView(ChannelCountersSnapshot Telegram, VkCountersSnapshot Vk, SmsCountersSnapshot Sms, EmailCountersSnapshot Email);

/// <summary>What tests and load runs use to see what the sandboxed providers received.</summary>
public static class SandboxControlApi
{
    public const int DefaultPageSize = 1000;
    public const int MaxPageSize = 100_000;

    public static RouteGroupBuilder MapSandboxControlApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sandbox").WithTags("Sandbox");

        group.MapGet("/inbox", ReadInbox);
        group.MapGet("/inbox/summary", (Inbox inbox, string? channel) => TypedResults.Ok(inbox.Summarize(channel)));
        group.MapDelete("/inbox", (Inbox inbox) =>
        {
            inbox.Clear();
            return TypedResults.NoContent();
        });
        group.MapGet("/stats", (TelegramState telegram, VkState vk, SmsState sms, EmailState email) =>
            TypedResults.Ok(new SandboxStatsView(telegram.Counters.Snapshot(), vk.Counters.Snapshot(), sms.Counters.Snapshot(),
                email.Counters.Snapshot())));

        return group;
    }

    private static Results<Ok<InboxPageView>, ProblemHttpResult> ReadInbox(
        Inbox inbox, string? channel, string? chatId, int offset = 0, int limit = DefaultPageSize)
    {
        if (offset < 0 || limit < 0)
        {
            return ControlProblems.Invalid($"offset and limit must not be negative (got offset={offset}, limit={limit}).");
        }

        var page = inbox.Read(channel, chatId, offset, Math.Min(limit, MaxPageSize));
        return TypedResults.Ok(new InboxPageView(page.Total, [.. page.Messages.Select(ToView)]));
    }

    private static InboxMessageView ToView(InboxMessage message) => new(
        message.Channel,
        message.ChatId,
        message.MessageId,
        message.Text,
        message.ReceivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        message.ReceivedAt.ToUnixTimeMilliseconds(),
        message.ProviderMessageId,
        message.Subject);
}
