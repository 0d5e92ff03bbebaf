namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed class ComposeApiTests(RedisServer redis) : ApiTest(redis)
{
    [Fact]
    public async Task Search_Teacher_SeesOwnGroupsAndStreams_AndAnyPersonByName()
    {
        var (teacher, _, student) = await App.SeedAsync();
        using var client = App.Client(teacher);
        using var all = await client.GetAsync("/v1/addressees?q=");
        var hits = (await ReadJsonAsync(all)).EnumerateArray()
            .Select(h => (h.GetProperty("kind").GetString(), h.GetProperty("id").GetString())).ToList();
        Assert.Equal([("group", "g1"), ("supergroup", "sg1")], hits);

        using var people = await client.GetAsync("/v1/addressees?q=U3");
        var person = Assert.Single((await ReadJsonAsync(people)).EnumerateArray());
        Assert.Equal(("user", "u3"), (person.GetProperty("kind").GetString(), person.GetProperty("id").GetString()));

        using var staffView = await Admin.GetAsync("/v1/addressees?q=group");
        Assert.Equal(2, (await ReadJsonAsync(staffView)).GetArrayLength());

        using var asStudent = App.Client(student);
        await ProblemAsync(await asStudent.GetAsync("/v1/addressees?q=u"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Audience_CountsReachablePerChannel_ListsUnreachable_ShowsQuietHoursMove()
    {
        var app = await NewAppAsync(new Dictionary<string, string?>
        {
            ["Scheduling:QuietHours"] = "00:00-23:59", ["Scheduling:TimeZone"] = "UTC",
        });
        var (teacher, _, _) = await app.SeedAsync();
        await app.PutAsync("/v1/users/u2", """{"name":"Пётр Нет-Связи","role":"student","contacts":{}}""");
        using var client = app.Client(teacher);
        using var response = await client.PostAsync("/v1/audience", Json("""{"to":{"groups":["g1"]}}"""));
        var answer = await ReadJsonAsync(response);
        Assert.Equal(2, answer.GetProperty("recipients").GetInt32());
        Assert.Equal(1, answer.GetProperty("reachable").GetProperty("telegram").GetInt32());
        Assert.Equal(1, answer.GetProperty("unreachable").GetInt32());
        Assert.Equal("Пётр Нет-Связи", answer.GetProperty("unreachablePeople")[0].GetProperty("name").GetString());
        Assert.Equal("quiet-hours", answer.GetProperty("rescheduled").GetProperty("reason").GetString());

        using var notOwned = await client.PostAsync("/v1/audience", Json("""{"to":{"groups":["g2"]}}"""));
        Assert.Contains("g2", Detail(await ProblemAsync(notOwned, HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        using var unknown = await client.PostAsync("/v1/audience", Json("""{"to":{"groups":["nope"]}}"""));
        await ProblemAsync(unknown, HttpStatusCode.BadRequest);
        await AssertNothingQueuedAsync(app);
    }

    [Fact]
    public async Task LinkCodes_GroupOwner_MayIssueForMembers_NotForOthers()
    {
        var (teacher, _, _) = await App.SeedAsync();
        using var client = App.Client(teacher);
        using var member = await client.PostAsync("/v1/users/u1/link-codes?group=g1", null);
        Assert.Equal(HttpStatusCode.Created, member.StatusCode);
        using var notMember = await client.PostAsync("/v1/users/u3/link-codes?group=g1", null);
        await ProblemAsync(notMember, HttpStatusCode.Forbidden);
        using var notOwner = await client.PostAsync("/v1/users/u3/link-codes?group=g2", null);
        await ProblemAsync(notOwner, HttpStatusCode.Forbidden);
    }
}
