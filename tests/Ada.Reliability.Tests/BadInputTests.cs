using System.Net.Http.Headers;
using System.Text;

namespace Ada.Reliability.Tests;

/// <summary>
/// Issue 5, bad input: a corpus of hostile requests against the real API process. Each must be a 4xx
/// problem+json with a detail, never a 5xx; nothing may be written for it (DBSIZE and the key set unchanged);
/// the API must still be ready and queue a good message afterwards.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class BadInputTests(RedisServer redis, ITestOutputHelper output)
{
    private const int KnownUsers = 10_000;
    private const string Lua = "]]..redis.call('FLUSHALL')..[[";

    /// <summary>One hostile request; <paramref name="Chunked"/>: sent as a chunked upload over a bare socket (see <see cref="RawHttp"/>).</summary>
    private sealed record Case(string Name, HttpMethod Method, string Path, Func<HttpContent?> Body, Func<byte[]>? Chunked = null);

    [Fact]
    public async Task HostileRequests_AreEach4xxProblems_WriteNothing_AndLeaveTheApiHealthy()
    {
        await using var ada = await Stack.StartAsync(redis, output, new StackOptions { Couriers = 0 });
        await ImportKnownUsersAsync(ada);
        await BeatAsync(ada);

        var cases = Corpus().ToList();
        var before = await KeysAsync(ada);
        var statuses = new Dictionary<int, int>();
        foreach (var item in cases)
        {
            await BeatAsync(ada);
            var (status, mediaType, body) = await SendAsync(ada, item);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status is >= 400 and < 500, $"{item.Name}: {status} {Cut(body)}");
            Assert.True(mediaType == "application/problem+json", $"{item.Name}: {status} with content type {mediaType} {Cut(body)}");
            var detail = JsonNode.Parse(body)?["detail"]?.GetValue<string>();
            Assert.False(string.IsNullOrWhiteSpace(detail), $"{item.Name}: {status} problem without a detail: {Cut(body)}");
            var after = await KeysAsync(ada);
            Assert.True(before.SetEquals(after),
                $"{item.Name}: {status} but the database changed: +{string.Join(",", after.Except(before).Take(5))} -{string.Join(",", before.Except(after).Take(5))}");
        }
        ada.Log($"{cases.Count} hostile requests: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}"))}; " +
            $"database unchanged ({before.Count} keys)");

        // Still healthy, and a Lua-looking *text* (legitimate content) is stored verbatim and changes nothing else.
        using (var ready = await ada.Admin.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
        await BeatAsync(ada);
        var text = Lua + " \"'\\ {x}:y " + "\u00e9\u0436\U0001F600";
        using var good = await ada.Admin.PostAsJsonAsync("/v1/queue", new { text, to = new { users = new[] { "k1", "k2" } } });
        Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        var id = (await good.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Assert.Equal(text, (await ada.HistoryAsync(id))["text"]!.GetValue<string>());
        var afterGood = await KeysAsync(ada);
        Assert.True(before.IsSubsetOf(afterGood), "a Lua-looking text removed keys");
        ada.Log($"RESULT fault=bad input: {cases.Count} requests, {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}"))}, " +
            $"0 x 5xx, every one problem+json with a detail, nothing written; /health/ready 200 after; a Lua-looking text queued verbatim " +
            $"(+{afterGood.Count - before.Count} keys, none lost)");
    }

    private static async Task<(int Status, string? MediaType, string Body)> SendAsync(Stack ada, Case item)
    {
        if (item.Chunked is { } chunked)
        {
            var answer = await RawHttp.PostChunkedAsync(ada.Api!.BaseAddress, item.Path, Stack.AdminToken, chunked());
            return (answer.Status, answer.ContentType, answer.Body);
        }
        using var request = new HttpRequestMessage(item.Method, item.Path) { Content = item.Body() };
        // A client sending a body the server may refuse unread asks first: the server answers 413 before it is sent.
        request.Headers.ExpectContinue = request.Content?.Headers.ContentLength > 1 << 20;
        using var response = await ada.Admin.SendAsync(request);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    private static IEnumerable<Case> Corpus()
    {
        const string queue = "/v1/queue";
        const string valid = """{"text":"Lecture moved","to":{"users":["k1","k2"]},"sendAt":"2030-01-01T10:00:00+03:00","urgent":false}""";

        // Malformed JSON.
        foreach (var body in new[]
        {
            "{\"text\":", "{\"text\":\"hi\",}", "{'text':'hi'}", "{\"text\" \"hi\"}", "}{", "nul", "[", "{\"text\":NaN}",
            valid + "}", valid + valid, "{\"text\":\"a\u0001b\",\"to\":{\"users\":[\"k1\"]}}", "{\"text\":\"hi\",\"to\":{\"users\":[\"k1\",]}}",
            "{\"text\":\"hi\"/*comment*/,\"to\":{\"users\":[\"k1\"]}}", "\u0000", "",
        })
        {
            yield return Json($"malformed {Cut(body)}", queue, body);
        }
        // Truncated: every prefix of a valid body, in steps.
        for (var cut = 1; cut < valid.Length; cut += 6)
        {
            yield return Json($"truncated at {cut}", queue, valid[..cut]);
        }
        // Huge: over Kestrel's 30 MB limit with and without Content-Length, and under it but far over the text limit.
        yield return new Case("50 MB body", HttpMethod.Post, queue, () => Bytes(Huge(50 << 20)));
        yield return new Case("50 MB body, chunked", HttpMethod.Post, queue, () => null, () => Huge(50 << 20));
        yield return new Case("20 MB text", HttpMethod.Post, queue, () => Bytes(Huge(20 << 20)));
        yield return new Case("50 MB import", HttpMethod.Post, "/v1/import", () => Bytes(Encoding.UTF8.GetBytes(
            "{\"users\":[" + string.Join(",", Enumerable.Repeat("{\"id\":\"x\",\"name\":\"" + new string('n', 1000) + "\",\"role\":\"student\"}", 50_000)) + "]}")));
        // Over an endpoint's own limit (issue 14): a webhook takes 64 KB, the queue 4 MB, everything else 16 KB.
        yield return new Case("1 MB VK callback", HttpMethod.Post, "/v1/vk/callback", () => Bytes(Huge(1 << 20)));
        yield return new Case("1 MB VK callback, chunked", HttpMethod.Post, "/v1/vk/callback", () => null, () => Huge(1 << 20));
        yield return new Case("5 MB queue", HttpMethod.Post, queue, () => Bytes(Huge(5 << 20)));
        yield return new Case("1 MB token request", HttpMethod.Post, "/v1/tokens", () => Bytes(Huge(1 << 20)));
        // Deep nesting.
        yield return Json("10,000 nested arrays", queue, "{\"text\":\"hi\",\"to\":" + new string('[', 10_000) + new string(']', 10_000) + "}");
        yield return Json("10,000 nested objects in an unknown field", queue,
            "{\"text\":\"hi\",\"to\":{\"users\":[\"k1\"]},\"x\":" + string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000) + "}");
        yield return Json("10,000 nested arrays in users", queue,
            "{\"text\":\"hi\",\"to\":{\"users\":" + new string('[', 10_000) + new string(']', 10_000) + "}}");
        yield return Json("10,000 nested arrays in an import", "/v1/import", "{\"users\":" + new string('[', 10_000) + new string(']', 10_000) + "}");
        // Wrong types.
        foreach (var body in new[]
        {
            "[1,2]", "\"text\"", "null", "5", "true", "{\"text\":5,\"to\":{\"users\":[\"k1\"]}}", "{\"text\":true,\"to\":{\"users\":[\"k1\"]}}",
            "{\"text\":{},\"to\":{\"users\":[\"k1\"]}}", "{\"text\":\"hi\",\"to\":\"k1\"}", "{\"text\":\"hi\",\"to\":[]}",
            "{\"text\":\"hi\",\"to\":{\"users\":\"k1\"}}", "{\"text\":\"hi\",\"to\":{\"users\":[1]}}", "{\"text\":\"hi\",\"to\":{\"users\":[{}]}}",
            "{\"text\":\"hi\",\"to\":{\"users\":[\"k1\"]},\"urgent\":\"yes\"}", "{\"text\":\"hi\",\"to\":{\"users\":[\"k1\"]},\"sendAt\":12}",
            "{\"text\":\"hi\",\"to\":{\"users\":[\"k1\"]},\"sendAt\":\"tomorrow\"}", "{\"text\":\"hi\",\"to\":{\"users\":[\"k1\"]},\"channels\":\"telegram\"}",
            "{\"text\":\"hi\",\"to\":{\"users\":[\"k1\"]},\"channels\":[5]}", "{\"text\":\"hi\",\"to\":{\"users\":[\"k1\"]},\"id\":5}",
            "{\"text\":\"hi\",\"to\":{\"users\":[\"k1\"]},\"sendAt\":\"9999-12-31T23:59:59+00:00\"}",
            "{\"text\":\"hi\",\"to\":{\"users\":[\"k1\"]},\"text\":1e400}",
        })
        {
            yield return Json($"wrong type {Cut(body)}", queue, body);
        }
        yield return Json("user: contacts not an object", "/v1/users/k1", "{\"name\":\"K\",\"role\":\"student\",\"contacts\":[1]}");
        yield return Json("user: telegram chat not a number", "/v1/users/k1", "{\"name\":\"K\",\"role\":\"student\",\"contacts\":{\"telegram\":\"@me\"}}");
        yield return Json("import: users not an array", "/v1/import", "{\"users\":\"k1\"}");
        // Control characters and broken UTF-16 / UTF-8.
        foreach (var text in new[] { "a\\u0000b", "\\u0007bell", "\\u001b[31mred", "\\uD800", "\\uDC00x", "x\\uD800\\uD800", "\\uDBFF" })
        {
            yield return Json($"text {text}", queue, $"{{\"text\":\"{text}\",\"to\":{{\"users\":[\"k1\"]}}}}");
            yield return Json($"user id {text}", queue, $"{{\"text\":\"hi\",\"to\":{{\"users\":[\"{text}\"]}}}}");
            yield return new Case($"name {text}", HttpMethod.Put, "/v1/users/k1", () => Bytes(Encoding.UTF8.GetBytes($"{{\"name\":\"{text}\",\"role\":\"student\"}}")));
        }
        foreach (var (name, raw) in new[] { ("0xFF", new byte[] { 0xFF }), ("overlong NUL", new byte[] { 0xC0, 0x80 }), ("UTF-8 surrogate", new byte[] { 0xED, 0xA0, 0x80 }) })
        {
            yield return new Case($"raw {name} in text", HttpMethod.Post, queue, () => Bytes(
                [.. "{\"text\":\""u8.ToArray(), .. raw, .. "\",\"to\":{\"users\":[\"k1\"]}}"u8.ToArray()]));
        }
        // Ids with braces, colons, spaces, globs, Lua; too long; empty.
        foreach (var id in new[] { "a{b}", "x:y", "a b", "{}", "a*", "*", "?", "[a]", "", " k1", "k1 ", new string('a', 65), Lua, "');redis.call('FLUSHALL');--", "k1\n", "../k1" })
        {
            var json = JsonValue.Create(id)!.ToJsonString();
            yield return Json($"user id {Cut(id)}", queue, $"{{\"text\":\"hi\",\"to\":{{\"users\":[{json}]}}}}");
            yield return Json($"group id {Cut(id)}", queue, $"{{\"text\":\"hi\",\"to\":{{\"groups\":[{json}]}}}}");
            yield return Json($"message id {Cut(id)}:1", queue, $"{{\"id\":{JsonValue.Create(id + ":1")!.ToJsonString()},\"text\":\"hi\",\"to\":{{\"users\":[\"k1\"]}}}}");
            yield return Json($"import user {Cut(id)}", "/v1/import", $"{{\"users\":[{{\"id\":{json},\"name\":\"N\",\"role\":\"student\"}}]}}");
            yield return Json($"token for {Cut(id)}", "/v1/tokens", $"{{\"userId\":{json}}}");
            if (id.Length > 0 && id.Trim() == id && !id.Contains('/', StringComparison.Ordinal) && !id.Contains('\n', StringComparison.Ordinal))
            {
                var path = Uri.EscapeDataString(id);
                yield return new Case($"PUT user {Cut(id)}", HttpMethod.Put, $"/v1/users/{path}", () => Bytes("{\"name\":\"N\",\"role\":\"student\"}"u8.ToArray()));
                yield return new Case($"PUT group {Cut(id)}", HttpMethod.Put, $"/v1/groups/{path}", () => Bytes("{\"name\":\"N\",\"members\":[\"k1\"]}"u8.ToArray()));
                yield return new Case($"GET history {Cut(id)}:1", HttpMethod.Get, $"/v1/history/{path}:1", () => null);
                yield return new Case($"cancel {Cut(id)}:1", HttpMethod.Post, $"/v1/queue/{path}:1/cancel", () => null);
                yield return new Case($"send-now {Cut(id)}:1", HttpMethod.Post, $"/v1/queue/{path}:1/send-now", () => null);
            }
        }
        // 10,000 addressees, some unknown; and some invalid.
        var many = Enumerable.Range(1, KnownUsers).Select(i => $"k{i}").ToList();
        var someUnknown = many.Take(KnownUsers - 10).Concat(Enumerable.Range(1, 10).Select(i => $"nobody{i}")).ToList();
        yield return Json("10,000 users, 10 unknown", queue, JsonSerialize(new { text = "hi", to = new { users = someUnknown } }));
        yield return Json("10,000 users, one a{b}", queue, JsonSerialize(new { text = "hi", to = new { users = many.Take(KnownUsers - 1).Append("a{b}") } }));
        yield return Json("group of 10,000 with an unknown member", "/v1/import",
            JsonSerialize(new { groups = new[] { new { id = "big", name = "Big", members = someUnknown } } }));
        // Neither JSON nor a body.
        yield return new Case("text/plain body", HttpMethod.Post, queue, () => new StringContent(valid, Encoding.UTF8, "text/plain"));
        yield return new Case("no body", HttpMethod.Post, queue, () => null);
    }

    private static Case Json(string name, string path, string body) =>
        new(name, path.StartsWith("/v1/users/", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post, path,
            () => Bytes(Encoding.UTF8.GetBytes(body)));

    private static ByteArrayContent Bytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static byte[] Huge(int size)
    {
        var bytes = new byte[size];
        var head = "{\"to\":{\"users\":[\"k1\"]},\"text\":\""u8;
        head.CopyTo(bytes);
        bytes.AsSpan(head.Length, size - head.Length - 2).Fill((byte)'a');
        bytes[^2] = (byte)'"';
        bytes[^1] = (byte)'}';
        return bytes;
    }

    private static string JsonSerialize(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static string Cut(string value)
    {
        var escaped = new StringBuilder();
        foreach (var c in value.Take(60))
        {
            escaped.Append(c < ' ' || char.IsSurrogate(c) ? FormattableString.Invariant($"\\u{(int)c:x4}") : c.ToString());
        }
        return escaped + (value.Length > 60 ? "…" : "");
    }

    private static async Task ImportKnownUsersAsync(Stack ada)
    {
        var users = Enumerable.Range(1, KnownUsers).Select(i => new
        {
            id = $"k{i}", name = $"Known {i}", role = "student",
            contacts = new { telegram = (9_000_000 + i).ToString(CultureInfo.InvariantCulture) },
        });
        using var response = await ada.Admin.PostAsJsonAsync("/v1/import", new { users });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A courier heartbeat without a courier: the API accepts messages, and nothing else writes to the database.</summary>
    /// <summary>A Telegram courier's heartbeat, as the runtime writes it: the channel registered, one instance alive.</summary>
    private static async Task BeatAsync(Stack ada)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await ada.Db.HashSetAsync("channels", "telegram", now, When.NotExists);
        await ada.Db.SortedSetAddAsync("couriers:telegram", "bad-input-test", now);
    }

    private static async Task<HashSet<string>> KeysAsync(Stack ada)
    {
        var server = ada.Mux.GetServer(ada.Redis.Host, ada.Redis.Port);
        var size = (long)await ada.Db.ExecuteAsync("DBSIZE");
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in server.KeysAsync(ada.Database, "*", pageSize: 5000))
        {
            keys.Add(key.ToString());
        }
        Assert.Equal(size, keys.Count);
        return keys;
    }
}
