namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed class HistoryTests(RedisServer redis) : ApiTest(redis)
{
    /// <summary>Queues <paramref name="text"/> to u1.</summary>
    private static Task<string> QueueTextAsync(HttpClient client, string text) =>
        QueueAsync(client, $$"""{"text":"{{text}}","to":{"users":["u1"]} }""");

    [Fact]
    public async Task GetHistory_Own_ReturnsTheStoredDocument()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        var id = await QueueTextAsync(client, "hello");
        using var response = await client.GetAsync($"/v1/history/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((await App.Db.StringGetAsync(Keys.History(id))).ToString(), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GetHistory_AnotherTeachers_Returns403_StaffMayRead()
    {
        var (teacher, staff, _) = await App.SeedAsync();
        var other = await App.UserAsync("t2", "teacher");
        using var owner = App.Client(teacher);
        var id = await QueueTextAsync(owner, "mine");
        using var stranger = App.Client(other);
        foreach (var path in new[] { $"/v1/history/{id}", $"/v1/history/{id}/receipts", $"/v1/history/{id}/events?timeout=1" })
        {
            using var refused = await stranger.GetAsync(path);
            await ProblemAsync(refused, HttpStatusCode.Forbidden);
        }
        using var byStaff = App.Client(staff);
        using var allowed = await byStaff.GetAsync($"/v1/history/{id}");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task GetHistory_Unknown_Returns404()
    {
        using var response = await Admin.GetAsync("/v1/history/admin:1");
        await ProblemAsync(response, HttpStatusCode.NotFound);
        using var receipts = await Admin.GetAsync("/v1/history/admin:1/receipts");
        await ProblemAsync(receipts, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ListHistory_OwnMessagesNewestFirst_WithLimit()
    {
        var (teacher, staff, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // Within one millisecond, ties are ordered by id, which grows with time too.
            ids.Add(await QueueTextAsync(client, $"m{i}"));
        }
        using var staffClient = App.Client(staff);
        await QueueTextAsync(staffClient, "not the teacher's");

        using var all = await client.GetAsync("/v1/history");
        var list = await ReadJsonAsync(all);
        Assert.Equal(ids.AsEnumerable().Reverse(), list.EnumerateArray().Select(h => h.GetProperty("id").GetString()));

        using var limited = await client.GetAsync("/v1/history?limit=2");
        Assert.Equal(2, (await ReadJsonAsync(limited)).GetArrayLength());
    }

    [Fact]
    public async Task ListHistory_OtherSender_TeacherGets403_StaffReads()
    {
        var (teacher, staff, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        var id = await QueueTextAsync(client, "hello");
        using var teacherAsking = await client.GetAsync("/v1/history?sender=st1");
        await ProblemAsync(teacherAsking, HttpStatusCode.Forbidden);
        using var own = await client.GetAsync("/v1/history?sender=t1");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using var staffClient = App.Client(staff);
        using var byStaff = await staffClient.GetAsync("/v1/history?sender=t1&limit=10");
        Assert.Equal(id, (await ReadJsonAsync(byStaff))[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task ListHistory_All_StaffReadEverySendersMessagesInLinkedPages_TeachersGet403()
    {
        var (teacher, staff, _) = await App.SeedAsync();
        var other = await App.UserAsync("t2", "teacher");
        using var first = App.Client(teacher);
        using var second = App.Client(other);
        using var staffClient = App.Client(staff);
        var queued = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            queued.Add(await QueueTextAsync(first, $"t1 {i}"));
            queued.Add(await QueueTextAsync(second, $"t2 {i}"));
        }
        queued.Add(await QueueTextAsync(staffClient, "staff"));

        using var teacherAsking = await first.GetAsync("/v1/history?all=true");
        await ProblemAsync(teacherAsking, HttpStatusCode.Forbidden);
        using var both = await staffClient.GetAsync("/v1/history?all=true&sender=t1");
        await ProblemAsync(both, HttpStatusCode.BadRequest);
        using var notABoolean = await staffClient.GetAsync("/v1/history?all=yes");
        await ProblemAsync(notABoolean, HttpStatusCode.BadRequest);

        var seen = new List<(string Id, string CreatedAt)>();
        var next = "/v1/history?all=true&limit=2";
        for (var pages = 0; next is not null && pages < 20; pages++)
        {
            using var response = await staffClient.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            seen.AddRange((await ReadJsonAsync(response)).EnumerateArray()
                .Select(h => (h.GetProperty("id").GetString()!, h.GetProperty("createdAt").GetString()!)));
            next = response.Headers.TryGetValues("Link", out var links)
                ? System.Text.RegularExpressions.Regex.Match(links.Single(), "^<([^>]+)>; rel=\"next\"$").Groups[1].Value
                : null;
            Assert.True(next is null || next.Contains("all=true", StringComparison.Ordinal), next);
        }
        Assert.Equal(queued.Order(), seen.Select(s => s.Id).Order());
        Assert.Equal(seen.Select(s => DateTimeOffset.Parse(s.CreatedAt, System.Globalization.CultureInfo.InvariantCulture)).OrderDescending(),
            seen.Select(s => DateTimeOffset.Parse(s.CreatedAt, System.Globalization.CultureInfo.InvariantCulture)));

        using var cancelled = await staffClient.PostAsync($"/v1/queue/{queued[3]}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        using var filtered = await App.Client(staff).GetAsync("/v1/history?all=true&state=cancelled");
        Assert.Equal([queued[3]], (await ReadJsonAsync(filtered)).EnumerateArray().Select(h => h.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Receipts_WithALimit_ComeInPagesLinkedToTheNext_UntilEveryOneWasSeen()
    {
        await App.SeedAsync();
        var id = await QueueTextAsync(Admin, "hello");
        var written = Enumerable.Range(1, 1_000).Select(i => $"u{i:0000}").ToList();
        await App.Db.HashSetAsync(Keys.Receipts(id), [.. written.Select(u =>
            new StackExchange.Redis.HashEntry($"telegram:{u}", AdaJson.Serialize(new Receipt(u, "telegram", ReceiptStatus.Sent))))]);

        var seen = new List<string>();
        var pages = 0;
        var next = $"/v1/history/{Uri.EscapeDataString(id)}/receipts?limit=100";
        while (next is not null && pages < 100)
        {
            using var response = await Admin.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = (await ReadJsonAsync(response)).EnumerateArray().Select(r => r.GetProperty("userId").GetString()!).ToList();
            Assert.Equal(page.Order(StringComparer.Ordinal), page);
            seen.AddRange(page);
            pages++;
            next = response.Headers.TryGetValues("Link", out var links)
                ? System.Text.RegularExpressions.Regex.Match(links.Single(), "^<([^>]+)>; rel=\"next\"$").Groups[1].Value
                : null;
        }

        Assert.InRange(pages, 5, 30);
        Assert.Equal(written, seen.Distinct().Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=10001")]
    [InlineData("?limit=ten")]
    [InlineData("?cursor=5")]
    [InlineData("?limit=10&cursor=-1")]
    [InlineData("?limit=10&cursor=abc")]
    public async Task Receipts_BadPaging_Is400(string query)
    {
        await App.SeedAsync();
        var id = await QueueTextAsync(Admin, "hello");

        using var response = await Admin.GetAsync($"/v1/history/{id}/receipts{query}");

        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Receipts_ReturnsWhatCouriersRecorded()
    {
        await App.SeedAsync();
        var id = await QueueTextAsync(Admin, "hello");
        using (var empty = await Admin.GetAsync($"/v1/history/{id}/receipts"))
        {
            Assert.Equal(0, (await ReadJsonAsync(empty)).GetArrayLength());
        }
        await App.Db.HashSetAsync(Keys.Receipts(id), "telegram:u1",
            AdaJson.Serialize(new Receipt("u1", "telegram", ReceiptStatus.Sent, ProviderMessageId: "77")));
        await App.Db.HashSetAsync(Keys.Receipts(id), "sms:u1",
            AdaJson.Serialize(new Receipt("u1", "sms", ReceiptStatus.Failed, Detail: "unreachable")));
        using var response = await Admin.GetAsync($"/v1/history/{id}/receipts");
        var receipts = await ReadJsonAsync(response);
        Assert.Equal(2, receipts.GetArrayLength());
        Assert.Equal("sms", receipts[0].GetProperty("channel").GetString());
        Assert.Equal("unreachable", receipts[0].GetProperty("detail").GetString());
        Assert.Equal("77", receipts[1].GetProperty("providerMessageId").GetString());
        Assert.Equal("sent", receipts[1].GetProperty("status").GetString());
        Assert.False(receipts[1].TryGetProperty("detail", out _));
    }

    private static string? NextLink(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Link", out var links)
            ? System.Text.RegularExpressions.Regex.Match(links.Single(), "^<([^>]+)>; rel=\"next\"$").Groups[1].Value
            : null;

    [Fact]
    public async Task ListHistory_PagesFollowTheLink_FilterByStateAndCreationTime_OnTheServer()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await QueueTextAsync(client, $"m{i}"));
        }
        var cancelled = new[] { ids[1], ids[4] };
        foreach (var id in cancelled)
        {
            using var cancel = await client.PostAsync($"/v1/queue/{id}/cancel", null);
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var seen = new List<string>();
        var next = "/v1/history?limit=3";
        for (var pages = 0; next is not null && pages < 10; pages++)
        {
            using var page = await client.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var got = (await ReadJsonAsync(page)).EnumerateArray().Select(h => h.GetProperty("id").GetString()!).ToList();
            Assert.InRange(got.Count, 0, 3);
            seen.AddRange(got);
            next = NextLink(page);
        }
        Assert.Equal(ids.AsEnumerable().Reverse(), seen);

        using var onlyCancelled = await client.GetAsync("/v1/history?state=cancelled&limit=1");
        Assert.Equal([cancelled[1]], (await ReadJsonAsync(onlyCancelled)).EnumerateArray().Select(h => h.GetProperty("id").GetString()));
        using var rest = await client.GetAsync(NextLink(onlyCancelled)!);
        Assert.Equal([cancelled[0]], (await ReadJsonAsync(rest)).EnumerateArray().Select(h => h.GetProperty("id").GetString()));

        var tomorrow = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
        var yesterday = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
        using var future = await client.GetAsync($"/v1/history?from={tomorrow}");
        Assert.Equal(0, (await ReadJsonAsync(future)).GetArrayLength());
        Assert.Null(NextLink(future));
        using var past = await client.GetAsync($"/v1/history?to={yesterday}");
        Assert.Equal(0, (await ReadJsonAsync(past)).GetArrayLength());
        using var today = await client.GetAsync($"/v1/history?from={yesterday}&to={tomorrow}&state=scheduled");
        Assert.Equal(5, (await ReadJsonAsync(today)).GetArrayLength());
    }

    [Theory]
    [InlineData("?state=lost")]
    [InlineData("?from=yesterday")]
    [InlineData("?to=2025-09-01")]
    [InlineData("?cursor=abc")]
    [InlineData("?cursor=5")]
    public async Task ListHistory_BadFilter_Is400(string query)
    {
        await App.SeedAsync();
        using var response = await Admin.GetAsync("/v1/history" + query);
        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Receipts_FilterByStatusAndChannel_AndExportAsCsv()
    {
        await App.SeedAsync();
        var id = await QueueTextAsync(Admin, "hello");
        await App.Db.HashSetAsync(Keys.Receipts(id), [
            new("telegram:u1", AdaJson.Serialize(new Receipt("u1", "telegram", ReceiptStatus.Sent))),
            new("telegram:u2", AdaJson.Serialize(new Receipt("u2", "telegram", ReceiptStatus.Failed, Detail: "blocked, by \"user\""))),
            new("sms:u2", AdaJson.Serialize(new Receipt("u2", "sms", ReceiptStatus.Failed, Detail: "=cmd"))),
        ]);

        using var failed = await Admin.GetAsync($"/v1/history/{id}/receipts?status=failed");
        Assert.Equal(["sms", "telegram"], (await ReadJsonAsync(failed)).EnumerateArray().Select(r => r.GetProperty("channel").GetString()));
        using var telegram = await Admin.GetAsync($"/v1/history/{id}/receipts?channel=telegram&limit=10");
        Assert.Equal(["u1", "u2"], (await ReadJsonAsync(telegram)).EnumerateArray().Select(r => r.GetProperty("userId").GetString()));
        using var both = await Admin.GetAsync($"/v1/history/{id}/receipts?channel=telegram&status=failed&limit=10");
        Assert.Equal(["u2"], (await ReadJsonAsync(both)).EnumerateArray().Select(r => r.GetProperty("userId").GetString()));

        using var csv = await Admin.GetAsync($"/v1/history/{id}/receipts?format=csv&status=failed");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", csv.Content.Headers.ContentDisposition?.DispositionType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("userId,channel,status,detail,at", lines[0]);
        Assert.Equal("u2,sms,failed,'=cmd,", lines[1]);
        Assert.Equal("u2,telegram,failed,\"blocked, by \"\"user\"\"\",", lines[2]);
        Assert.Equal(3, lines.Length);

        foreach (var bad in new[] { "?status=lost", "?channel=Tele%20gram", "?format=xml", "?format=csv&limit=5" })
        {
            using var refused = await Admin.GetAsync($"/v1/history/{id}/receipts{bad}");
            await ProblemAsync(refused, HttpStatusCode.BadRequest);
        }
    }
}
