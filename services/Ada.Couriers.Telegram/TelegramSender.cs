using System.Globalization;
using System.Text.Json;
using Ada.Core.Couriers;
using Ada.Core.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Requests;
using Telegram.Bot.Types;

namespace Ada.Couriers.Telegram;

/// <summary>
/// Sends through the Telegram Bot API: one request per chat, several in flight, paced across every
/// instance by a Redis token bucket. What Telegram answers decides the receipt:
/// 429 → wait <c>retry_after</c> for that chat while the others go on; 403 (blocked, deactivated) → failed
/// and the contact marked inactive; 400 "chat not found" → failed; 5xx and network errors → retried
/// with the runtime's backoff, a bounded number of times (the runtime counts the attempts).
/// </summary>
public sealed class TelegramSender : IChannelSender, IDisposable
{
    private readonly ITelegramBotClient _bot;
    private readonly TelegramOptions _options;
    private readonly RedisRateLimiter _pace;
    private readonly ILogger<TelegramSender> _logger;

    public TelegramSender(ITelegramBotClient bot, IOptions<TelegramOptions> options, IConnectionMultiplexer mux,
        AdaScripts scripts, ILogger<TelegramSender> logger)
    {
        _bot = bot;
        _options = options.Value;
        _logger = logger;
        _pace = new RedisRateLimiter(mux, scripts, Channel, _options.MessagesPerSecond);
    }

    public string Channel => "telegram";

    /// <summary>About a second of sending at the configured pace: progress and cancellation stay prompt.</summary>
    public int BatchSize => _options.MessagesPerSecond <= 0 ? 500 : (int)Math.Clamp(_options.MessagesPerSecond, 10, 500);

    public Task<IReadOnlyList<SendOutcome>> SendAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees,
        CancellationToken stop) => SendAsync(message, addressees, _ => { }, stop);

    /// <summary>Tells <paramref name="done"/> each chat's outcome as soon as Telegram answers, so the runtime records it at once.</summary>
    public async Task<IReadOnlyList<SendOutcome>> SendAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees,
        Action<SendOutcome> done, CancellationToken stop)
    {
        var parts = TelegramText.Split(message.Text);
        var outcomes = new SendOutcome[addressees.Count];
        using var gate = new SemaphoreSlim(_options.Concurrency);
        var sends = new List<Task>(addressees.Count);
        for (var i = 0; i < addressees.Count; i++)
        {
            var index = i;
            try
            {
                await gate.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            try
            {
                // Urgent messages take the channel's pace first; others share it in turn (first come, first served).
                await _pace.WaitAsync(stop, message.Urgent);
            }
            catch (OperationCanceledException)
            {
                gate.Release();
                break;
            }
            sends.Add(Task.Run(async () =>
            {
                try
                {
                    outcomes[index] = await SendOneAsync(addressees[index], parts);
                    done(outcomes[index]);
                }
                finally
                {
                    gate.Release();
                }
            }, CancellationToken.None));
        }
        await Task.WhenAll(sends);
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] ??= new SendOutcome.Retry(addressees[i], "stopped", "not sent before the courier stopped", TimeSpan.Zero);
        }
        return outcomes;
    }

    /// <summary>
    /// getMe: opens the connection to the Bot API and runs the client's request path once. getMe answers a User; a send
    /// answers a Message, a far larger type whose JSON code runs for the first time otherwise in the first send.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken stop)
    {
        _ = TelegramText.Split("warm-up");
        // The request a send writes and the answer it reads, through the client's own JSON options (measured: these
        // were most of the ~1,000 methods the first send still compiled after getMe).
        _ = JsonSerializer.Serialize(new SendMessageRequest { ChatId = 1, Text = "warm-up" }, JsonBotAPI.Options);
        _ = JsonSerializer.Deserialize<ApiResponse<Message>>(
            """{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"},"text":"warm-up"}}""", JsonBotAPI.Options);
        try
        {
            await _bot.GetMe(stop);
        }
        catch (Exception e) when (e is RequestException or HttpRequestException)
        {
            _logger.LogWarning(e, "Telegram getMe failed at start; the first send opens the connection");
        }
    }

    private async Task<SendOutcome> SendOneAsync(Addressee to, IReadOnlyList<string> parts)
    {
        if (!long.TryParse(to.Address, NumberStyles.Integer, CultureInfo.InvariantCulture, out var chatId))
        {
            return new SendOutcome.Failed(to, "bad_address", $"'{to.Address}' is not a Telegram chat id");
        }
        var ids = new List<int>(parts.Count);
        try
        {
            foreach (var part in parts)
            {
                // A resumed multi-part text starts again at its first part: parts already sent are not tracked per part.
                var sent = await _bot.SendMessage(chatId, part, cancellationToken: CancellationToken.None);
                ids.Add(sent.Id);
            }
            return new SendOutcome.Sent(to, string.Join(',', ids));
        }
        catch (ApiRequestException e) when (e.ErrorCode == 429)
        {
            var after = TimeSpan.FromSeconds(Math.Max(1, e.Parameters?.RetryAfter ?? 1));
            _logger.LogWarning("Telegram throttled chat of {UserId}: retry after {RetryAfter}", to.UserId, after);
            return new SendOutcome.Retry(to, "throttled", e.Message, after, Throttled: true);
        }
        catch (ApiRequestException e) when (e.ErrorCode == 403)
        {
            return new SendOutcome.Failed(to, "blocked", e.Message, Deactivate: true);
        }
        catch (ApiRequestException e) when (e.ErrorCode == 400 && e.Message.Contains("chat not found", StringComparison.OrdinalIgnoreCase))
        {
            return new SendOutcome.Failed(to, "chat_not_found", e.Message);
        }
        catch (ApiRequestException e) when (e.ErrorCode is >= 400 and < 500)
        {
            return new SendOutcome.Failed(to, "rejected", $"{e.ErrorCode}: {e.Message}");
        }
        catch (Exception e) when (e is RequestException or HttpRequestException or TaskCanceledException)
        {
            var kind = e is ApiRequestException api ? $"provider_{api.ErrorCode}" : "network";
            return new SendOutcome.Retry(to, kind, e.Message);
        }
    }

    public void Dispose() => _pace.Dispose();
}
