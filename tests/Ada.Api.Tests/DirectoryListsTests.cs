namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed class DirectoryListsTests(RedisServer redis) : ApiTest(redis)
{
    [Fact]
    public async Task Users_AreSearchedAndPaged_ByName_WithATotalAndANextLink()
    {
        await App.SeedAsync();
        for (var i = 1; i <= 5; i++)
        {
            await App.PutAsync($"/v1/users/p{i}", $$"""{"name":"Петров {{i}}","role":"student","contacts":{} }""");
        }

        var seen = new List<string>();
        var next = "/v1/users?q=%D0%BF%D0%B5%D1%82%D1%80%D0%BE%D0%B2&limit=2";
        for (var pages = 0; next is not null && pages < 10; pages++)
        {
            using var page = await Admin.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("5", page.Headers.GetValues("X-Total-Count").Single());
            seen.AddRange((await ReadJsonAsync(page)).EnumerateArray().Select(u => u.GetProperty("id").GetString()!));
            next = page.Headers.TryGetValues("Link", out var links)
                ? System.Text.RegularExpressions.Regex.Match(links.Single(), "^<([^>]+)>; rel=\"next\"$").Groups[1].Value
                : null;
        }
        Assert.Equal(["p1", "p2", "p3", "p4", "p5"], seen);

        using var one = await Admin.GetAsync("/v1/users?q=u1");
        var u1 = (await ReadJsonAsync(one)).EnumerateArray().Single();
        Assert.Equal("student", u1.GetProperty("role").GetString());
        Assert.Equal(["telegram"], u1.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task GroupsAndSupergroups_AreListedWithTheirSize_StaffMayBrowse_TeachersMayNot()
    {
        var (teacher, staff, _) = await App.SeedAsync();
        using var byStaff = App.Client(staff);
        using var groups = await byStaff.GetAsync("/v1/groups?q=group");
        var list = (await ReadJsonAsync(groups)).EnumerateArray().ToList();
        Assert.Equal(["g1", "g2"], list.Select(g => g.GetProperty("id").GetString()));
        Assert.Equal(2, list[0].GetProperty("size").GetInt32());
        using var streams = await byStaff.GetAsync("/v1/supergroups");
        Assert.Equal("Stream 1", (await ReadJsonAsync(streams))[0].GetProperty("name").GetString());

        using var byTeacher = App.Client(teacher);
        foreach (var path in new[] { "/v1/users", "/v1/groups", "/v1/supergroups" })
        {
            using var refused = await byTeacher.GetAsync(path);
            await ProblemAsync(refused, HttpStatusCode.Forbidden);
        }
        foreach (var bad in new[] { "/v1/users?limit=0", "/v1/groups?limit=501", "/v1/supergroups?offset=-1" })
        {
            using var refused = await Admin.GetAsync(bad);
            await ProblemAsync(refused, HttpStatusCode.BadRequest);
        }
        using var anonymous = App.Client(null);
        using var unauthenticated = await anonymous.GetAsync("/v1/users");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }
}
