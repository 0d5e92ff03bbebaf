namespace Ada.Api.Tests;

[Collection(RedisCollection.Name)]
public sealed class DirectoryTests(RedisServer redis) : ApiTest(redis)
{
    [Fact]
    public async Task PutUser_New_Returns201WithStoredUser_ThenReplace_Returns200()
    {
        using var created = await Admin.PutAsync("/v1/users/ivanov",
            Json("""{"name":"Ivan Ivanov","role":"Teacher","contacts":{"telegram":123456789,"vk":"42","sms":"+7 (999) 123-45-67"}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = await ReadJsonAsync(created);
        Assert.Equal("ivanov", user.GetProperty("id").GetString());
        Assert.Equal("teacher", user.GetProperty("role").GetString());
        Assert.Equal("123456789", user.GetProperty("contacts").GetProperty("telegram").GetString());
        Assert.Equal("+79991234567", user.GetProperty("contacts").GetProperty("sms").GetString());
        Assert.Equal("123456789", (await App.Db.HashGetAsync(Keys.Contacts("telegram"), "ivanov")).ToString());

        using var replaced = await Admin.PutAsync("/v1/users/ivanov", Json("""{"name":"Ivan I. Ivanov","role":"staff"}"""));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        using var read = await Admin.GetAsync("/v1/users/ivanov");
        var stored = await ReadJsonAsync(read);
        Assert.Equal("Ivan I. Ivanov", stored.GetProperty("name").GetString());
        Assert.Equal("staff", stored.GetProperty("role").GetString());
        Assert.Empty(stored.GetProperty("contacts").EnumerateObject());
        Assert.False((await App.Db.HashExistsAsync(Keys.Contacts("telegram"), "ivanov")));
    }

    [Fact]
    public async Task PutUser_InvalidFields_Returns400NamingEveryFieldAndWritesNothing()
    {
        using var response = await Admin.PutAsync("/v1/users/u1",
            Json("""{"name":"  ","role":"dean","contacts":{"telegram":"abc","vk":-5,"sms":"89991234567","email":"a@b.c"}}"""));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var detail = Detail(problem);
        foreach (var field in new[] { "'name'", "'role'", "'contacts.telegram'", "'contacts.vk'", "'contacts.sms'", "'contacts.email'" })
        {
            Assert.Contains(field, detail, StringComparison.Ordinal);
        }
        Assert.True(problem.GetProperty("errors").TryGetProperty("contacts.sms", out _));
        Assert.False(await App.Db.KeyExistsAsync(Keys.User("u1")));
    }

    [Fact]
    public async Task PutUser_EmailContact_StoredWithTheDomainLowercased_AndIndexedForTheCourier()
    {
        using var created = await Admin.PutAsync("/v1/users/petrova",
            Json("""{"name":"Anna Petrova","role":"student","contacts":{"email":"  Anna.Petrova+ada@Univ.Example.RU "}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("Anna.Petrova+ada@univ.example.ru",
            (await ReadJsonAsync(created)).GetProperty("contacts").GetProperty("email").GetString());
        Assert.Equal("Anna.Petrova+ada@univ.example.ru", (await App.Db.HashGetAsync(Keys.Contacts("email"), "petrova")).ToString());
    }

    [Theory]
    [InlineData("ivanova")]
    [InlineData("ivanova@")]
    [InlineData("@university.ru")]
    [InlineData("Ivanova <ivanova@university.ru>")]
    [InlineData("ivanova@university")]
    [InlineData("iva nova@university.ru")]
    [InlineData("\"iva nova\"@university.ru")]
    [InlineData("ivanova..a@university.ru")]
    [InlineData("ivanova@-university.ru")]
    [InlineData("ivanova@university.ru, petrov@university.ru")]
    public async Task PutUser_BadEmail_Returns400NamingTheContactAndWritesNothing(string email)
    {
        using var response = await Admin.PutAsync("/v1/users/u1",
            Json(System.Text.Json.JsonSerializer.Serialize(new { name = "U", role = "student", contacts = new { email } })));
        Assert.Contains("'contacts.email'", Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        Assert.False(await App.Db.KeyExistsAsync(Keys.User("u1")));
        Assert.False(await App.Db.KeyExistsAsync(Keys.Contacts("email")));
    }

    [Fact]
    public async Task Import_OneBadEmail_Returns400AndWritesNoneOfTheUsers()
    {
        using var response = await Admin.PostAsync("/v1/import", Json("""
            {"users":[{"id":"a","name":"A","role":"student","contacts":{"email":"a@university.ru"}},
                      {"id":"b","name":"B","role":"student","contacts":{"email":"b at university.ru"}}]}
            """));
        Assert.Contains("'users[1].contacts.email'", Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        Assert.False(await App.Db.KeyExistsAsync(Keys.User("a")));
        Assert.False(await App.Db.KeyExistsAsync(Keys.Contacts("email")));
    }

    [Fact]
    public async Task PutUser_Language_IsKeptWhenRuOrEn_AbsentByDefault_AndRefusedOtherwise()
    {
        using var english = await Admin.PutAsync("/v1/users/smith", Json("""{"name":"John Smith","role":"teacher","language":"EN"}"""));
        Assert.Equal("en", (await ReadJsonAsync(english)).GetProperty("language").GetString());

        using var plain = await Admin.PutAsync("/v1/users/ivanov", Json("""{"name":"Ivan Ivanov","role":"teacher"}"""));
        Assert.False((await ReadJsonAsync(plain)).TryGetProperty("language", out _));

        using var german = await Admin.PutAsync("/v1/users/mueller", Json("""{"name":"M","role":"teacher","language":"de"}"""));
        var problem = await ProblemAsync(german, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("language", out _));
        Assert.False(await App.Db.KeyExistsAsync(Keys.User("mueller")));

        using var imported = await Admin.PostAsync("/v1/import", Json("""{"users":[{"id":"lee","name":"Lee","role":"staff","language":"en"}]}"""));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        using var read = await Admin.GetAsync("/v1/users/lee");
        Assert.Equal("en", (await ReadJsonAsync(read)).GetProperty("language").GetString());
    }

    [Theory]
    [InlineData("bad id")]
    [InlineData("x%3Ay")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("a%01b")]
    public async Task PutUser_MalformedId_Returns400(string id)
    {
        using var response = await Admin.PutAsync($"/v1/users/{id}", Json("""{"name":"X","role":"student"}"""));
        Assert.Contains("'userId'", Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        Assert.Empty(await App.KeysAsync());
    }

    [Fact]
    public async Task PutUser_BodyIdDiffersFromPath_Returns400()
    {
        using var response = await Admin.PutAsync("/v1/users/a", Json("""{"id":"b","name":"X","role":"student"}"""));
        Assert.Contains("'id'", Detail(await ProblemAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutGroup_UnknownMembers_Returns400ListingThem()
    {
        await App.PutAsync("/v1/users/u1", """{"name":"U1","role":"student"}""");
        using var response = await Admin.PutAsync("/v1/groups/g1", Json("""{"name":"G","members":["u1","ghost1"],"owners":["ghost2"]}"""));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("ghost1", Detail(problem), StringComparison.Ordinal);
        Assert.Contains("ghost2", Detail(problem), StringComparison.Ordinal);
        Assert.Equal(["ghost1", "ghost2"], problem.GetProperty("unknown").GetProperty("users").EnumerateArray().Select(e => e.GetString()));
        Assert.False(await App.Db.KeyExistsAsync("group:{g1}"));
    }

    [Fact]
    public async Task PutGroupAndSupergroup_Valid_CreatedThenReadBack()
    {
        await App.PutAsync("/v1/users/u1", """{"name":"U1","role":"student"}""");
        await App.PutAsync("/v1/users/t1", """{"name":"T1","role":"teacher"}""");
        using var group = await Admin.PutAsync("/v1/groups/g1", Json("""{"name":"G","members":["u1","u1"],"owners":["t1"]}"""));
        Assert.Equal(HttpStatusCode.Created, group.StatusCode);
        Assert.Single((await ReadJsonAsync(group)).GetProperty("members").EnumerateArray());
        using var again = await Admin.PutAsync("/v1/groups/g1", Json("""{"name":"G2","members":["u1"],"owners":["t1"]}"""));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        using var supergroup = await Admin.PutAsync("/v1/supergroups/sg1", Json("""{"name":"S","groups":["g1"],"owners":["t1"]}"""));
        Assert.Equal(HttpStatusCode.Created, supergroup.StatusCode);
        using var read = await Admin.GetAsync("/v1/supergroups/sg1");
        Assert.Equal("g1", (await ReadJsonAsync(read)).GetProperty("groups")[0].GetString());
        using var readGroup = await Admin.GetAsync("/v1/groups/g1");
        Assert.Equal("G2", (await ReadJsonAsync(readGroup)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task PutSupergroup_UnknownGroup_Returns400ListingIt()
    {
        using var response = await Admin.PutAsync("/v1/supergroups/sg1", Json("""{"name":"S","groups":["nope"],"owners":[]}"""));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("nope", problem.GetProperty("unknown").GetProperty("groups")[0].GetString());
    }

    [Theory]
    [InlineData("/v1/users/nobody")]
    [InlineData("/v1/groups/nobody")]
    [InlineData("/v1/supergroups/nobody")]
    public async Task Get_Missing_Returns404Problem(string path)
    {
        using var response = await Admin.GetAsync(path);
        Assert.Contains("nobody", Detail(await ProblemAsync(response, HttpStatusCode.NotFound)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_ReferencesInsideTheImport_CountsCreatedUpdatedUnchanged()
    {
        const string body = """
            {"users":[{"id":"a","name":"A","role":"teacher","contacts":{"telegram":"1"}},{"id":"b","name":"B","role":"student"}],
             "groups":[{"id":"g","name":"G","members":["a","b"],"owners":["a"]}],
             "supergroups":[{"id":"s","name":"S","groups":["g"],"owners":["a"]}]}
            """;
        using var first = await Admin.PostAsync("/v1/import", Json(body));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var counts = await ReadJsonAsync(first);
        Assert.Equal(2, counts.GetProperty("users").GetProperty("created").GetInt32());
        Assert.Equal(1, counts.GetProperty("groups").GetProperty("created").GetInt32());
        Assert.Equal(1, counts.GetProperty("supergroups").GetProperty("created").GetInt32());

        using var second = await Admin.PostAsync("/v1/import", Json(body.Replace("\"name\":\"B\"", "\"name\":\"Bee\"", StringComparison.Ordinal)));
        var again = await ReadJsonAsync(second);
        Assert.Equal(1, again.GetProperty("users").GetProperty("updated").GetInt32());
        Assert.Equal(1, again.GetProperty("users").GetProperty("unchanged").GetInt32());
        Assert.Equal(0, again.GetProperty("users").GetProperty("created").GetInt32());
        Assert.Equal(1, again.GetProperty("groups").GetProperty("unchanged").GetInt32());
        Assert.Equal(1, again.GetProperty("supergroups").GetProperty("unchanged").GetInt32());
    }

    [Fact]
    public async Task Import_OneInvalidItem_WritesNothing()
    {
        using var response = await Admin.PostAsync("/v1/import", Json("""
            {"users":[{"id":"a","name":"A","role":"teacher"},{"id":"b","name":"B","role":"wizard"},{"id":"a","name":"A2","role":"staff"}],
             "groups":[{"id":"g","name":"G","members":["a"]}, null]}
            """));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("'users[1].role'", Detail(problem), StringComparison.Ordinal);
        Assert.Contains("'users[2].id'", Detail(problem), StringComparison.Ordinal);
        Assert.Contains("'groups[1]'", Detail(problem), StringComparison.Ordinal);
        Assert.Empty(await App.KeysAsync());
    }

    [Fact]
    public async Task Import_UnknownReference_WritesNothing()
    {
        using var response = await Admin.PostAsync("/v1/import", Json("""
            {"users":[{"id":"a","name":"A","role":"teacher"}],
             "groups":[{"id":"g","name":"G","members":["a","ghost"],"owners":[]}],
             "supergroups":[{"id":"s","name":"S","groups":["g","nogroup"]}]}
            """));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("ghost", problem.GetProperty("unknown").GetProperty("users")[0].GetString());
        Assert.Equal("nogroup", problem.GetProperty("unknown").GetProperty("groups")[0].GetString());
        Assert.Empty(await App.KeysAsync());
    }

    [Fact]
    public async Task Directory_WithTeacherToken_Returns403()
    {
        var teacher = await App.UserAsync("t1", "teacher");
        using var client = App.Client(teacher);
        using var response = await client.PutAsync("/v1/users/x", Json("""{"name":"X","role":"admin"}"""));
        Assert.Contains("admin", Detail(await ProblemAsync(response, HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        using var token = await client.PostAsync("/v1/tokens", Json("""{"userId":"t1"}"""));
        await ProblemAsync(token, HttpStatusCode.Forbidden);
    }
}
