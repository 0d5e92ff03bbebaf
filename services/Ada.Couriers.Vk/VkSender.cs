using System.Globalization;
using Ada.Core.Couriers;
using Ada.Core.Hosting;
using Ada.Core.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ada.Couriers.Vk;

/// <summary>
/// Sends through the VK API as a community: <c>messages.send</c> to up to 100 <c>peer_ids</c> per call, 25 calls
/// glued into one <c>execute</c> — 2,500 people per HTTP request, paced across every instance by a Redis token
/// bucket (one token per request). Each call's <c>random_id</c> is derived from the message, the text part and
/// its peers (<see cref="VkRandomId"/>), so a call made again — after a timeout here, or by the next holder of
/// the claim after a crash — is deduplicated by VK instead of delivered twice. For the same reason a request
/// that fails as a whole (network, timeout, 5xx, errors 6/9/10/29) is retried here unchanged a few times
/// before its people go back to the runtime's retry queue; error 6 also pauses every instance (the shared
/// bucket). What VK answers per person decides the receipt: 901/900/902/18/3610 → failed (901, 18 and 3610
/// deactivate the contact); 914 → the text is split further; other errors of a person → failed with VK's reason.
/// </summary>
public sealed class VkSender : IChannelSender, IDisposable
{
    /// <summary>VK answered 6 ("too many requests per second"): how long every instance stops.</summary>
    public static readonly TimeSpan ThrottlePause = TimeSpan.FromSeconds(1);

    /// <summary>A text VK refused as too long (914) at <see cref="VkText.MaxLength"/> is tried once more in parts of this size.</summary>
    public const int FallbackLength = 4096;

    private readonly VkApiClient _vk;
    private readonly VkOptions _options;
    private readonly RedisRateLimiter _pace;
    private readonly SemaphoreSlim _inFlight;
    private readonly ILogger<VkSender> _logger;

    public VkSender(VkApiClient vk, IOptions<VkOptions> options, IConnectionMultiplexer mux, AdaScripts scripts, ILogger<VkSender> logger)
    {
        _vk = vk;
        _options = options.Value;
        _logger = logger;
        _pace = new RedisRateLimiter(mux, scripts, Channel, _options.RequestsPerSecond);
        _inFlight = new SemaphoreSlim(_options.Concurrency);
    }

    public string Channel => "vk";

    /// <summary>One execute's worth: 25 calls × 100 peers.</summary>
    public int BatchSize => VkExecuteCode.MaxCalls * VkSendCall.MaxPeers;

    public async Task<IReadOnlyList<SendOutcome>> SendAsync(OutgoingMessage message, IReadOnlyList<Addressee> addressees,
        CancellationToken stop)
    {
        var outcomes = new SendOutcome[addressees.Count];
        // Two people may share one VK id; the id goes out once and its result is theirs.
        var people = new Dictionary<long, List<int>>();
        var peers = new List<long>();
        for (var i = 0; i < addressees.Count; i++)
        {
            if (!long.TryParse(addressees[i].Address, NumberStyles.None, CultureInfo.InvariantCulture, out var peer) || peer == 0)
            {
                outcomes[i] = new SendOutcome.Failed(addressees[i], "bad_address", $"'{addressees[i].Address}' is not a VK user id");
                continue;
            }
            if (!people.TryGetValue(peer, out var indexes))
            {
                people[peer] = indexes = [];
                peers.Add(peer);
            }
            indexes.Add(i);
        }
        var results = peers.Count == 0 ? [] : await DeliverAsync(message, peers, VkText.MaxLength, stop);
        foreach (var (peer, indexes) in people)
        {
            var result = results[peer];
            foreach (var i in indexes)
            {
                outcomes[i] = result.For(addressees[i]);
            }
        }
        return outcomes;
    }

    /// <summary>
    /// Sends the text, in parts of at most <paramref name="maxLength"/>, to every peer: part by part, so a
    /// person's parts arrive in order, and each part only to those who had the earlier ones.
    /// </summary>
    private async Task<Dictionary<long, PeerResult>> DeliverAsync(OutgoingMessage message, IReadOnlyList<long> peers, int maxLength,
        CancellationToken stop)
    {
        var parts = VkText.Split(message.Text, maxLength);
        var results = new Dictionary<long, PeerResult>();
        var messageIds = peers.ToDictionary(p => p, _ => new List<long>());
        var tooLong = new List<long>();
        IReadOnlyList<long> alive = peers;
        for (var part = 0; part < parts.Count && alive.Count > 0; part++)
        {
            var calls = alive.Chunk(VkSendCall.MaxPeers)
                .Select(chunk => new VkSendCall(chunk, parts[part], VkRandomId.For(message.Id, part, parts.Count, chunk)))
                .ToList();
            var answers = await Task.WhenAll(calls.Chunk(VkExecuteCode.MaxCalls).Select(request => RequestAsync(message.Id, request, stop)));
            var next = new List<long>(alive.Count);
            foreach (var (call, answer) in calls.Zip(answers.SelectMany(a => a)))
            {
                if (answer.Unsent is { } unsent)
                {
                    foreach (var peer in call.PeerIds)
                    {
                        results[peer] = unsent;
                    }
                    continue;
                }
                var byPeer = answer.Result!.Peers.GroupBy(r => r.PeerId).ToDictionary(g => g.Key, g => g.First());
                foreach (var peer in call.PeerIds)
                {
                    var error = answer.Result.Error ?? (byPeer.TryGetValue(peer, out var r) ? r.Error : null);
                    if (error is { Code: VkErrors.MessageTooLong })
                    {
                        // Only a text sent whole can be split again without repeating parts someone already has.
                        if (parts.Count == 1 && maxLength > FallbackLength && message.Text.Length > FallbackLength)
                        {
                            tooLong.Add(peer);
                        }
                        else
                        {
                            results[peer] = new PeerResult.Failed("too_long",
                                $"VK refused part {part + 1} of {parts.Count} as too long ({error.Code}: {error.Message})");
                        }
                    }
                    else if (error is not null)
                    {
                        results[peer] = VkErrors.ForPeer(error);
                    }
                    else if (byPeer.TryGetValue(peer, out var sent) && sent.MessageId is { } id)
                    {
                        messageIds[peer].Add(id);
                        next.Add(peer);
                    }
                    else
                    {
                        // No word about this peer: unknown whether it arrived; the same call again is deduplicated.
                        results[peer] = new PeerResult.Retry("no_result", "VK answered without a result for this person", null, false);
                    }
                }
            }
            alive = next;
        }
        foreach (var peer in alive)
        {
            results[peer] = new PeerResult.Sent(string.Join(',', messageIds[peer]));
        }
        if (tooLong.Count > 0)
        {
            _logger.LogWarning("VK refused the text of {MessageId} as too long for {Peers} people; sending it in parts of {Length}",
                message.Id, tooLong.Count, FallbackLength);
            foreach (var (peer, result) in await DeliverAsync(message, tooLong, FallbackLength, stop))
            {
                results[peer] = result;
            }
        }
        return results;
    }

    /// <summary>
    /// One execute, sent again unchanged (same calls, same random_ids) while it fails as a whole, a bounded
    /// number of times. Returns one answer per call: VK's result, or why nobody in it was sent to.
    /// </summary>
    private async Task<IReadOnlyList<CallAnswer>> RequestAsync(string messageId, VkSendCall[] calls, CancellationToken stop)
    {
        PeerResult? unsent = null;
        for (var attempt = 1; attempt <= _options.RequestAttempts; attempt++)
        {
            try
            {
                await _inFlight.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return Unsent(calls, unsent ?? PeerResult.Stopped);
            }
            try
            {
                await _pace.WaitAsync(stop);
                // No token: a request VK has started must finish, so its receipts can be written.
                var results = await _vk.SendAsync(calls, CancellationToken.None);
                return [.. results.Select(r => new CallAnswer(r, null))];
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return Unsent(calls, unsent ?? PeerResult.Stopped);
            }
            catch (VkApiException e)
            {
                unsent = VkErrors.ForRequest(e.Error);
                (VkErrors.IsThrottle(e.Code) ? AdaMetrics.ProviderThrottles : AdaMetrics.ProviderErrors).WithLabels(Channel).Inc();
                if (e.Code == VkErrors.TooManyRequests)
                {
                    await _pace.SlowDownAsync(ThrottlePause);
                }
                _logger.LogWarning("VK answered error {Code} to an execute of {MessageId} (attempt {Attempt} of {Attempts}): {Reason}",
                    e.Code, messageId, attempt, _options.RequestAttempts, e.Error.Message);
                if (!VkErrors.IsTransient(e.Code))
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                unsent = new PeerResult.Retry("network", e is TaskCanceledException ? "VK did not answer in time" : e.Message, null, false);
                AdaMetrics.ProviderErrors.WithLabels(Channel).Inc();
                _logger.LogWarning(e, "An execute of {MessageId} to VK failed (attempt {Attempt} of {Attempts})",
                    messageId, attempt, _options.RequestAttempts);
            }
            finally
            {
                _inFlight.Release();
            }
            if (attempt < _options.RequestAttempts)
            {
                try
                {
                    await Task.Delay(RequestBackoff(attempt), stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        return Unsent(calls, unsent ?? PeerResult.Stopped);
    }

    private static CallAnswer[] Unsent(VkSendCall[] calls, PeerResult why) => [.. calls.Select(_ => new CallAnswer(null, why))];

    /// <summary>Between attempts of one request: about 0.5, 1, 2 … s with jitter, at most 5 s.</summary>
    private static TimeSpan RequestBackoff(int attempt)
    {
        var ceiling = Math.Min(5000, 500 * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    public void Dispose()
    {
        _pace.Dispose();
        _inFlight.Dispose();
    }

    private sealed record CallAnswer(VkCallResult? Result, PeerResult? Unsent);
}

/// <summary>What happened to one VK peer; <see cref="For"/> makes it the outcome of each person with that id.</summary>
internal abstract record PeerResult
{
    public static readonly PeerResult Stopped = new Retry("stopped", "not sent before the courier stopped", TimeSpan.Zero, false);

    public abstract SendOutcome For(Addressee to);

    public sealed record Sent(string MessageIds) : PeerResult
    {
        public override SendOutcome For(Addressee to) => new SendOutcome.Sent(to, MessageIds);
    }

    public sealed record Failed(string ErrorClass, string Reason, bool Deactivate = false) : PeerResult
    {
        public override SendOutcome For(Addressee to) => new SendOutcome.Failed(to, ErrorClass, Reason, Deactivate);
    }

    /// <summary><paramref name="After"/> null: the runtime backs off by the person's attempts so far.</summary>
    public sealed record Retry(string ErrorClass, string Reason, TimeSpan? After, bool Throttled) : PeerResult
    {
        public override SendOutcome For(Addressee to) =>
            new SendOutcome.Retry(to, ErrorClass, Reason, After, Throttled);
    }
}
