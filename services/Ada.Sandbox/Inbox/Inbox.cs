using System.Collections.Concurrent;

namespace Ada.Sandbox;

/// <summary>A message a sandboxed provider accepted, as the recipient would have received it.</summary>
/// <remarks>
/// ProviderMessageId is the provider's own id when it is not a number (the SMS gateways' message ids, an email's
/// Message-ID); Subject is an email's.
/// </remarks>
public sealed record InboxMessage(
    string Channel, string ChatId, long MessageId, string Text, DateTimeOffset ReceivedAt, string? ProviderMessageId = null,
    string? Subject = null);

public sealed record InboxPage(int Total, IReadOnlyList<InboxMessage> Messages);

/// <summary>Duplicates counts the extra copies of the same text sent to the same chat.</summary>
public sealed record InboxSummary(int Total, int Chats, int ChatsWithMoreThanOne, int Duplicates);

/// <summary>Every message delivered by every sandboxed channel, in arrival order.</summary>
public sealed class Inbox
{
    // Lock-free on the write path: channels append from many request threads at once.
    private readonly ConcurrentQueue<InboxMessage> messages = new();

    public void Add(InboxMessage message) => messages.Enqueue(message);

    public void Clear() => messages.Clear();

    public InboxPage Read(string? channel, string? chatId, int offset, int limit)
    {
        var page = new List<InboxMessage>(Math.Min(limit, 1024));
        var total = 0;
        foreach (var message in messages)
        {
            if (!Matches(message, channel) || (chatId is not null && message.ChatId != chatId))
            {
                continue;
            }

            if (total >= offset && page.Count < limit)
            {
                page.Add(message);
            }

            total++;
        }

        return new InboxPage(total, page);
    }

    public InboxSummary Summarize(string? channel)
    {
        var perChat = new Dictionary<(string Channel, string ChatId), int>();
        var distinct = new HashSet<(string Channel, string ChatId, string Text)>();
        var total = 0;
        foreach (var message in messages)
        {
            if (!Matches(message, channel))
            {
                continue;
            }

            total++;
            var chat = (message.Channel, message.ChatId);
            perChat[chat] = perChat.GetValueOrDefault(chat) + 1;
            distinct.Add((message.Channel, message.ChatId, message.Text));
        }

        return new InboxSummary(
            total,
            perChat.Count,
            perChat.Values.Count(count => count > 1),
            total - distinct.Count);
    }

    private static bool Matches(InboxMessage message, string? channel) =>
        channel is null || string.Equals(message.Channel, channel, StringComparison.OrdinalIgnoreCase);
}
