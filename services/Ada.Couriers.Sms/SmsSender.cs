using System.Text.Json;
using Ada.Core.Couriers;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Ada.Core.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ada.Couriers.Sms;

/// <summary>
/// Sends one batch of texts through the configured gateway (<see cref="ISmsGateway"/>):
/// <list type="bullet">
/// <item>a text longer than <c>Sms:MaxSegments</c> fails as <c>too_long</c> (the API refuses it at queue time already);</item>
/// <item>an address that is no phone number fails as <c>bad_address</c> without a request;</item>
/// <item>a number that had <c>Sms:PerNumberPerMinute</c> texts this minute waits for the next minute;</item>
/// <item>the rest goes out in multi-number requests, paced to <c>Sms:MessagesPerSecond</c> across all instances.</item>
/// </list>
/// Each accepted text's provider id is remembered so delivery reports find the receipt; SMS.ru ids also
/// join the status poller's queue (<see cref="SmsRuPending"/>).
/// A request is named by <see cref="RequestKey"/> (the message and its people), from which the Android gateway's
/// idempotency id comes. So that a request whose answer was lost comes back as the same request, people being retried
/// never share a request with people tried fewer times, and every number of a failed request gets the same backoff
/// (the runtime draws one per batch, <see cref="RetryBackoff"/>): they fall due together.
/// </summary>
public sealed class SmsSender : IChannelSender, IDisposable
{
    public const string ThrottledClass = "throttled";

    private readonly ISmsGateway _gateway;
    private readonly SmsOptions _options;
    private readonly IConnectionMultiplexer _mux;
    private readonly CourierStore _store;
    private readonly SmsRuPending _pending;
    private readonly TimeProvider _time;
    private readonly ILogger<SmsSender> _logger;
    private readonly RedisRateLimiter _pace;

    public SmsSender(ISmsGateway gateway, IOptions<SmsOptions> options, IConnectionMultiplexer mux, AdaScripts scripts,
        CourierStore store, SmsRuPending pending, TimeProvider time, ILogger<SmsSender> logger)
    {
        _gateway = gateway;
        _options = options.Value;
        _mux = mux;
        _store = store;
        _pending = pending;
        _time = time;
        _logger = logger;
        _pace = new RedisRateLimiter(mux, scripts, Channel, _options.MessagesPerSecond);
    }

    public string Channel => Channels.Sms;

    /// <summary>Published with every heartbeat: the API refuses texts over <c>Sms:MaxSegments</c> at queue time with a 400.</summary>
    public ChannelLimits Limits => new(MaxSmsSegments: _options.MaxSegments);

    /// <summary>About a second of sending at the configured pace, at most one gateway request.</summary>
    public int BatchSize => _options.MessagesPerSecond <= 0
        ? _gateway.MaxRecipientsPerRequest
        : (int)Math.Clamp(Math.Ceiling(_options.MessagesPerSecond), 1, _gateway.MaxRecipientsPerRequest);

    public async Task<IReadOnlyList<SendOutcome>> SendAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees,
        CancellationToken stop)
    {
        var outcomes = new SendOutcome?[addressees.Count];
        var segments = SmsSegments.Count(message.Text);
        if (segments > _options.MaxSegments)
        {
            var reason = $"the text takes {segments} SMS segments; Sms:MaxSegments allows {_options.MaxSegments}";
            return [.. addressees.Select(a => new SendOutcome.Failed(a, "too_long", reason))];
        }
        var numbers = new List<(int Index, string Phone)>(addressees.Count);
        for (var i = 0; i < addressees.Count; i++)
        {
            if (PhoneNumbers.Normalize(addressees[i].Address) is { } phone)
            {
                numbers.Add((i, phone));
            }
            else
            {
                outcomes[i] = new SendOutcome.Failed(addressees[i], "bad_address", $"'{addressees[i].Address}' is not a phone number with its country code");
            }
        }
        // Grouped by attempts so far: first tries apart from retries, which then repeat their earlier request.
        var chunks = numbers.GroupBy(n => addressees[n.Index].Attempts)
            .SelectMany(group => Chunk([.. group], _gateway.MaxRecipientsPerRequest));
        foreach (var chunk in chunks)
        {
            if (stop.IsCancellationRequested)
            {
                break;
            }
            var allowed = await LimitPerNumberAsync(chunk, addressees, outcomes);
            var paced = 0;
            try
            {
                for (; paced < allowed.Count; paced++)
                {
                    await _pace.WaitAsync(stop);
                }
            }
            catch (OperationCanceledException)
            {
            }
            if (paced > 0)
            {
                await SendChunkAsync(message, addressees, allowed.Take(paced).ToList(), outcomes);
            }
            if (paced < allowed.Count)
            {
                break;
            }
        }
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] ??= new SendOutcome.Retry(addressees[i], "stopped", "not sent before the courier stopped", TimeSpan.Zero);
        }
        return outcomes!;
    }

    private async Task SendChunkAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees,
        List<(int Index, string Phone)> chunk, SendOutcome?[] outcomes)
    {
        // In flight requests finish even when stopping: what was sent must be reported.
        var requestKey = RequestKey(message.Id, chunk.Select(c => addressees[c.Index].UserId));
        var results = await _gateway.SendAsync(message.Text, [.. chunk.Select(c => c.Phone)], requestKey, CancellationToken.None);
        var sentAt = _time.GetUtcNow();
        var remembered = new List<Task>();
        var polled = new List<string>();
        TimeSpan? slowDown = null;
        for (var k = 0; k < chunk.Count; k++)
        {
            var to = addressees[chunk[k].Index];
            outcomes[chunk[k].Index] = results[k] switch
            {
                SmsSendResult.Accepted accepted => new SendOutcome.Sent(to, accepted.ProviderMessageId),
                SmsSendResult.Rejected rejected => new SendOutcome.Failed(to, rejected.ErrorClass, rejected.Reason, rejected.Deactivate),
                SmsSendResult.Transient transient => new SendOutcome.Retry(to, transient.ErrorClass, transient.Reason,
                    transient.After, transient.Throttled),
                _ => throw new InvalidOperationException($"unknown result {results[k]}"),
            };
            if (results[k] is SmsSendResult.Accepted { ProviderMessageId: { } providerId })
            {
                remembered.Add(_store.RememberProviderIdAsync(Channel, providerId, message.Id, to.UserId));
                if (_gateway.PollsDeliveryStatus)
                {
                    polled.Add(providerId);
                }
            }
            if (results[k] is SmsSendResult.Transient { ErrorClass: ThrottledClass, After: { } after })
            {
                slowDown = after;
            }
        }
        try
        {
            await Task.WhenAll([.. remembered, _pending.AddAsync(polled, sentAt)]);
            if (slowDown is { } pause)
            {
                await _pace.SlowDownAsync(pause);
            }
        }
        catch (RedisException e)
        {
            // The texts went out; only their delivery reports will not find the receipts.
            _logger.LogWarning(e, "Could not remember the provider ids of {Count} texts of {MessageId}", remembered.Count, message.Id);
        }
        _logger.LogDebug("{Gateway} took {Accepted} of {Count} texts of {MessageId}", _gateway.Name,
            results.Count(r => r is SmsSendResult.Accepted), chunk.Count, message.Id);
    }

    /// <summary>
    /// Counts this batch against each number's minute (<see cref="SmsKeys.PerNumber"/>); numbers over the
    /// limit wait for their minute to end. Returns the numbers that may go now.
    /// </summary>
    private async Task<List<(int Index, string Phone)>> LimitPerNumberAsync(List<(int Index, string Phone)> chunk,
        IReadOnlyList<Addressee> addressees, SendOutcome?[] outcomes)
    {
        var limit = _options.PerNumberPerMinute;
        if (limit <= 0 || chunk.Count == 0)
        {
            return chunk;
        }
        var db = _mux.GetDatabase();
        var batch = db.CreateBatch();
        var counts = chunk.Select(c =>
        {
            var key = SmsKeys.PerNumber(SmsProviderIds.Digits(c.Phone));
            var count = batch.StringIncrementAsync(key);
            var expire = batch.KeyExpireAsync(key, TimeSpan.FromMinutes(1), ExpireWhen.HasNoExpiry);
            return (Count: count, Expire: expire, Ttl: batch.KeyTimeToLiveAsync(key));
        }).ToList();
        batch.Execute();
        await Task.WhenAll(counts.SelectMany(c => new Task[] { c.Count, c.Expire, c.Ttl }));
        var allowed = new List<(int Index, string Phone)>(chunk.Count);
        for (var k = 0; k < chunk.Count; k++)
        {
            if (await counts[k].Count <= limit)
            {
                allowed.Add(chunk[k]);
                continue;
            }
            var wait = await counts[k].Ttl ?? TimeSpan.FromMinutes(1);
            var to = addressees[chunk[k].Index];
            outcomes[chunk[k].Index] = new SendOutcome.Retry(to, "number_limit",
                $"{limit} texts a minute to this number (Sms:PerNumberPerMinute)", wait + TimeSpan.FromMilliseconds(50), Throttled: true);
        }
        return allowed;
    }

    /// <summary>
    /// Names one gateway request: the Ada message and the people in it (user ids, in ordinal order). A retry of the same
    /// people for the same message gives the same key; another message, or other people — also two people who share a
    /// phone and so go in separate requests — another.
    /// </summary>
    public static string RequestKey(string messageId, IEnumerable<string> userIds) =>
        JsonSerializer.Serialize(userIds.Order(StringComparer.Ordinal).Prepend(messageId));

    /// <summary>Chunks of at most <paramref name="size"/> numbers, no number twice in one (two people may share a phone).</summary>
    internal static IEnumerable<List<(int Index, string Phone)>> Chunk(IReadOnlyList<(int Index, string Phone)> numbers, int size)
    {
        var chunks = new List<(List<(int Index, string Phone)> Items, HashSet<string> Phones)>();
        foreach (var number in numbers)
        {
            var chunk = chunks.FirstOrDefault(c => c.Items.Count < size && !c.Phones.Contains(number.Phone));
            if (chunk.Items is null)
            {
                chunk = ([], []);
                chunks.Add(chunk);
            }
            chunk.Items.Add(number);
            chunk.Phones.Add(number.Phone);
        }
        return chunks.Select(c => c.Items);
    }

    public void Dispose() => _pace.Dispose();
}
