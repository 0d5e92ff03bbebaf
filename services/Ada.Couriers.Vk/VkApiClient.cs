using System.Text.Json;

namespace Ada.Couriers.Vk;

/// <summary>An error as VK reports it: the whole request's <c>error</c>, an <c>execute_errors</c> entry, or one peer's.</summary>
public sealed record VkError(int Code, string Message, string? Method = null);

/// <summary>VK answered the request as a whole with <c>{"error":{…}}</c> (usually with HTTP 200).</summary>
public sealed class VkApiException(VkError error) : Exception($"VK error {error.Code}: {error.Message}")
{
    public VkError Error { get; } = error;
    public int Code => Error.Code;
}

/// <summary>What happened to one peer of a <c>messages.send</c> call: its message id, or its error.</summary>
public sealed record VkPeerResult(long PeerId, long? MessageId, VkError? Error);

/// <summary>
/// The result of one <c>messages.send</c> call inside an execute: an item per peer, or — when the call
/// failed as a whole (<c>false</c> in the response) — the error from <c>execute_errors</c>.
/// </summary>
public sealed record VkCallResult(IReadOnlyList<VkPeerResult> Peers, VkError? Error = null)
{
    public static VkCallResult Failed(VkError error) => new([], error);
}

/// <summary>
/// A small typed client of the VK API: form-encoded POST to <c>{BaseUrl}{method}</c> with
/// <c>access_token</c> and <c>v</c>. VK reports errors with HTTP 200, so the body is always read for
/// <c>error</c>. Throws <see cref="VkApiException"/> for a VK error, <see cref="HttpRequestException"/> for a
/// failed exchange (5xx, a body that is not VK's JSON) and <see cref="TaskCanceledException"/> on timeout.
/// The token travels in the body only, never in a URL or a message.
/// </summary>
public sealed class VkApiClient(HttpClient http, VkOptions options)
{
    private readonly Uri _base = new(options.BaseUrl.EndsWith('/') ? options.BaseUrl : options.BaseUrl + "/");

    /// <summary>Sends up to 25 calls in one <c>execute</c>; one result per call, in order.</summary>
    public async Task<IReadOnlyList<VkCallResult>> SendAsync(IReadOnlyList<VkSendCall> calls, CancellationToken cancellationToken)
    {
        using var answer = await CallAsync("execute", [new("code", VkExecuteCode.Build(calls))], cancellationToken);
        return ParseExecute(answer.RootElement, calls);
    }

    /// <summary>Calls one method; the whole answer (<c>response</c> and, for execute, <c>execute_errors</c>).</summary>
    public async Task<JsonDocument> CallAsync(string method, IEnumerable<KeyValuePair<string, string>> parameters,
        CancellationToken cancellationToken)
    {
        using var form = new FormUrlEncodedContent(
            parameters.Append(new("access_token", options.Token)).Append(new("v", options.ApiVersion)));
        using var response = await http.PostAsync(new Uri(_base, method), form, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        JsonDocument answer;
        try
        {
            answer = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            response.EnsureSuccessStatusCode();
            throw new HttpRequestException($"VK answered {method} with HTTP {(int)response.StatusCode} and a body that is not JSON.");
        }
        if (answer.RootElement.ValueKind == JsonValueKind.Object && answer.RootElement.TryGetProperty("error", out var error))
        {
            var vkError = ParseError(error, "error_code", "error_msg");
            answer.Dispose();
            throw new VkApiException(vkError);
        }
        if (!response.IsSuccessStatusCode || answer.RootElement.ValueKind != JsonValueKind.Object
            || !answer.RootElement.TryGetProperty("response", out _))
        {
            answer.Dispose();
            throw new HttpRequestException($"VK answered {method} with HTTP {(int)response.StatusCode} and no response.",
                null, response.StatusCode);
        }
        return answer;
    }

    /// <summary>
    /// Reads an execute's answer to <paramref name="calls"/>. Each response item is the call's result: with
    /// <c>peer_ids</c> an array of <c>{peer_id, message_id, error:{code, description}}</c>. A call that failed as a
    /// whole is <c>false</c>, and its error is in <c>execute_errors</c> (<c>{method, error_code, error_msg}</c>),
    /// which lists the failed calls in order; the n-th <c>false</c> takes the n-th messages.send error.
    /// </summary>
    public static IReadOnlyList<VkCallResult> ParseExecute(JsonElement answer, IReadOnlyList<VkSendCall> calls)
    {
        var errors = new Queue<VkError>();
        if (answer.TryGetProperty("execute_errors", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            var all = list.EnumerateArray().Select(e => ParseError(e, "error_code", "error_msg")).ToList();
            // The execute itself may be listed too (it failed because a call did); the calls' own errors come first.
            foreach (var e in all.Where(e => e.Method is null or "messages.send").Concat(all.Where(e => e.Method is not (null or "messages.send"))))
            {
                errors.Enqueue(e);
            }
        }
        var response = answer.GetProperty("response");
        var items = response.ValueKind == JsonValueKind.Array ? response.EnumerateArray().ToList() : [];
        var results = new List<VkCallResult>(calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            if (i >= items.Count)
            {
                results.Add(VkCallResult.Failed(new VkError(0, "execute returned no result for this call")));
                continue;
            }
            var item = items[i];
            results.Add(item.ValueKind switch
            {
                JsonValueKind.Array => new VkCallResult([.. item.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.Object).Select(ParsePeer)]),
                // messages.send with a single peer answers with the message id alone.
                JsonValueKind.Number => new VkCallResult([.. calls[i].PeerIds.Select(p => new VkPeerResult(p, item.GetInt64(), null))]),
                _ => VkCallResult.Failed(errors.TryDequeue(out var error) ? error
                    : new VkError(0, "execute returned false for this call without an error")),
            });
        }
        return results;
    }

    private static VkPeerResult ParsePeer(JsonElement item)
    {
        var peer = item.TryGetProperty("peer_id", out var p) && p.TryGetInt64(out var id) ? id : 0;
        var error = item.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object
            ? ParseError(e, "code", "description")
            : null;
        long? messageId = item.TryGetProperty("message_id", out var m) && m.TryGetInt64(out var mid) && mid > 0 ? mid : null;
        return new VkPeerResult(peer, messageId, error);
    }

    private static VkError ParseError(JsonElement error, string codeName, string messageName) => new(
        error.TryGetProperty(codeName, out var code) && code.TryGetInt32(out var c) ? c : 0,
        error.TryGetProperty(messageName, out var message) && message.ValueKind == JsonValueKind.String ? message.GetString()! : "",
        error.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String ? method.GetString() : null);
}
