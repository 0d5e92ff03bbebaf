using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Ada.Benchmarks;

public sealed record Student(string Id, string ChatId);

/// <summary>What one bulk queueing run did.</summary>
public sealed record QueueRun(long[] DeliverAtMs, int Errors, Dictionary<int, int> Statuses, double Seconds, string? FirstError)
{
    public int Accepted => DeliverAtMs.Count(d => d != long.MinValue);
    public double PerSecond => Accepted / Seconds;
}

/// <summary>The HTTP calls the scenarios make to the API and the sandbox.</summary>
public static class AdaCalls
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static string Iso(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    public static ByteArrayContent JsonContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        return content;
    }

    public static byte[] QueueBody(string text, string[]? users = null, string[]? groups = null, DateTimeOffset? sendAt = null,
        bool urgent = false)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("text", text);
            if (urgent)
            {
                w.WriteBoolean("urgent", true);
            }
            w.WriteStartObject("to");
            w.WriteStartArray("users");
            foreach (var u in users ?? [])
            {
                w.WriteStringValue(u);
            }
            w.WriteEndArray();
            w.WriteStartArray("groups");
            foreach (var g in groups ?? [])
            {
                w.WriteStringValue(g);
            }
            w.WriteEndArray();
            w.WriteEndObject();
            if (sendAt is { } at)
            {
                w.WriteString("sendAt", Iso(at));
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Imports students (role student, a <paramref name="channel"/> contact each: <see cref="Student.ChatId"/>) and
    /// optionally one group of all of them, in chunks (each chunk is one all-or-nothing import); a 413 halves the
    /// chunk. Returns the chunk size that was accepted.
    /// </summary>
    public static async Task<JsonObject> ImportAsync(HttpClient api, IReadOnlyList<Student> students, string? groupId,
        CancellationToken cancel, int chunk = 25_000, string channel = "telegram")
    {
        var watch = Stopwatch.StartNew();
        var requests = 0;
        long largestBody = 0;
        for (var start = 0; start < students.Count;)
        {
            var size = Math.Min(chunk, students.Count - start);
            var body = UsersBody(students, start, size, channel);
            using var response = await api.PostAsync("/v1/import", JsonContent(body), cancel);
            requests++;
            // Too large a body, or (on a busy machine) too large an import for the API's Redis timeout: an import is all
            // or nothing, so the same people go again in smaller chunks.
            if ((response.StatusCode == HttpStatusCode.RequestEntityTooLarge && chunk > 100)
                || (response.StatusCode == HttpStatusCode.ServiceUnavailable && chunk > 1000))
            {
                chunk /= 2;
                continue;
            }
            await EnsureAsync(response, "import users", cancel);
            largestBody = Math.Max(largestBody, body.Length);
            start += size;
        }
        if (groupId is not null)
        {
            var buffer = new ArrayBufferWriter<byte>(students.Count * 12 + 100);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteStartArray("groups");
                w.WriteStartObject();
                w.WriteString("id", groupId);
                w.WriteString("name", $"Bench {groupId}");
                w.WriteStartArray("members");
                foreach (var s in students)
                {
                    w.WriteStringValue(s.Id);
                }
                w.WriteEndArray();
                w.WriteStartArray("owners");
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }
            using var response = await api.PostAsync("/v1/import", JsonContent(buffer.WrittenSpan.ToArray()), cancel);
            requests++;
            await EnsureAsync(response, $"import group {groupId} of {students.Count} members ({buffer.WrittenCount} bytes)", cancel);
            largestBody = Math.Max(largestBody, buffer.WrittenCount);
        }
        return new JsonObject
        {
            ["users"] = students.Count,
            ["group"] = groupId,
            ["requests"] = requests,
            ["usersPerRequest"] = chunk,
            ["largestBodyBytes"] = largestBody,
            ["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2),
        };
    }

    private static byte[] UsersBody(IReadOnlyList<Student> students, int start, int count, string channel)
    {
        var buffer = new ArrayBufferWriter<byte>(count * 90 + 100);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("users");
            for (var i = start; i < start + count; i++)
            {
                w.WriteStartObject();
                w.WriteString("id", students[i].Id);
                w.WriteString("name", $"Student {students[i].Id}");
                w.WriteString("role", "student");
                w.WriteStartObject("contacts");
                w.WriteString(channel, students[i].ChatId);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// POSTs <paramref name="count"/> messages to /v1/queue from <paramref name="concurrency"/> clients at once,
    /// bounded by <paramref name="limit"/>; keeps each accepted message's deliverAt (ms), long.MinValue when refused.
    /// </summary>
    public static async Task<QueueRun> QueueManyAsync(HttpClient api, int count, Func<int, byte[]> body, int concurrency,
        TimeSpan limit, CancellationToken cancel)
    {
        var deliverAt = new long[count];
        Array.Fill(deliverAt, long.MinValue);
        var statuses = new Dictionary<int, int>();
        var errors = 0;
        string? firstError = null;
        var next = -1;
        var watch = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(limit);
        async Task Worker()
        {
            while (!deadline.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= count)
                {
                    return;
                }
                int status;
                try
                {
                    using var response = await api.PostAsync("/v1/queue", JsonContent(body(i)), deadline.Token);
                    status = (int)response.StatusCode;
                    var text = await response.Content.ReadAsStringAsync(deadline.Token);
                    if (status == 202)
                    {
                        deliverAt[i] = ReadDeliverAtMs(text);
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, $"{status}: {text}", null);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
                {
                    if (deadline.IsCancellationRequested)
                    {
                        return;
                    }
                    status = 0;
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                }
                lock (statuses)
                {
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker, CancellationToken.None)));
        cancel.ThrowIfCancellationRequested();
        return new QueueRun(deliverAt, errors, statuses, watch.Elapsed.TotalSeconds, firstError);
    }

    public static long ReadDeliverAtMs(string answer)
    {
        using var doc = JsonDocument.Parse(answer);
        return DateTimeOffset.Parse(doc.RootElement.GetProperty("deliverAt").GetString()!, CultureInfo.InvariantCulture)
            .ToUnixTimeMilliseconds();
    }

    public static async Task<JsonObject> QueueOneAsync(HttpClient api, byte[] body, CancellationToken cancel)
    {
        using var response = await api.PostAsync("/v1/queue", JsonContent(body), cancel);
        await EnsureAsync(response, "queue", cancel, HttpStatusCode.Accepted);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(cancel))!;
    }

    public static async Task<JsonObject> HistoryAsync(HttpClient api, string id, CancellationToken cancel) =>
        (await api.GetFromJsonAsync<JsonObject>($"/v1/history/{Uri.EscapeDataString(id)}", cancel))!;

    public static async Task<int> InboxTotalAsync(HttpClient sandbox, CancellationToken cancel, string channel = "telegram") =>
        (await sandbox.GetFromJsonAsync<JsonObject>($"/sandbox/inbox?channel={channel}&limit=0", cancel))!["total"]!.GetValue<int>();

    public sealed record InboxItem(string ChatId, string Text, long ReceivedAtUnixMs);

    /// <summary>The whole inbox of a channel (Telegram unless told), page by page (the sandbox answers at most 100,000 a page).</summary>
    public static async Task<List<InboxItem>> InboxAsync(HttpClient sandbox, CancellationToken cancel, string channel = "telegram")
    {
        var all = new List<InboxItem>();
        for (var page = 0; page < 100; page++)
        {
            using var response = await sandbox.GetAsync($"/sandbox/inbox?channel={channel}&offset={all.Count}&limit=50000",
                HttpCompletionOption.ResponseHeadersRead, cancel);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync(cancel);
            using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancel);
            var messages = doc.RootElement.GetProperty("messages");
            foreach (var m in messages.EnumerateArray())
            {
                all.Add(new InboxItem(m.GetProperty("chatId").GetString()!, m.GetProperty("text").GetString()!,
                    m.GetProperty("receivedAtUnixMs").GetInt64()));
            }
            if (messages.GetArrayLength() == 0 || all.Count >= doc.RootElement.GetProperty("total").GetInt32())
            {
                break;
            }
        }
        return all;
    }

    public static async Task<JsonObject> InboxSummaryAsync(HttpClient sandbox, CancellationToken cancel, string channel = "telegram") =>
        (await sandbox.GetFromJsonAsync<JsonObject>($"/sandbox/inbox/summary?channel={channel}", cancel))!;

    public static async Task<JsonObject> SandboxStatsAsync(HttpClient sandbox, CancellationToken cancel) =>
        (await sandbox.GetFromJsonAsync<JsonObject>("/sandbox/stats", cancel))!;

    public static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancel,
        HttpStatusCode? expected = null)
    {
        if (expected is { } status ? response.StatusCode != status : !response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancel);
            throw new InvalidOperationException(
                $"{what}: HTTP {(int)response.StatusCode} {body[..Math.Min(body.Length, 600)]}");
        }
    }

    /// <summary>Waits (polling, bounded) until <paramref name="done"/> says so; returns whether it did in time.</summary>
    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> done, TimeSpan within, TimeSpan every, CancellationToken cancel)
    {
        var deadline = Stopwatch.StartNew();
        for (var i = 0; i < 100_000 && deadline.Elapsed < within; i++)
        {
            if (await done())
            {
                return true;
            }
            await Task.Delay(every, cancel);
        }
        return await done();
    }

    public static async Task DelayUntilAsync(long unixMs, CancellationToken cancel)
    {
        var wait = unixMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(wait), cancel);
        }
    }

    public static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
