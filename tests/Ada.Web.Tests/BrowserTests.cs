namespace Ada.Web.Tests;

/// <summary>The teacher web app in a real headless Chromium against the real API, Redis, courier and sandbox.</summary>
[Collection(WebCollection.Name)]
public sealed class BrowserTests(WebStack web)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Teacher_SignsInWithCode_SendsToGroup_WatchesItArrive_ThenResendsToThoseNotReached()
    {
        var students = Enumerable.Range(1, 5).Select(i => new
        {
            id = $"w1.s{i}", name = $"Студент {i}", role = "student",
            contacts = i == 5 ? new Dictionary<string, string>() : new Dictionary<string, string> { ["telegram"] = $"91010{i}" },
        }).ToList();
        await web.ImportAsync(new
        {
            users = students.Cast<object>().Append(new { id = "t.web1", name = "Ирина Преподаватель", role = "teacher",
                contacts = new Dictionary<string, string> { ["telegram"] = "910001" } }),
            groups = new[] { new { id = "web-1", name = "ИВТ-Веб-1", members = students.Select(s => s.id), owners = new[] { "t.web1" } } },
        });
        var page = await web.NewPageAsync();
        await web.StepsAsync(page, "send", async () =>
        {
        await page.GotoAsync("/");
        await page.GetByLabel("Ваш логин").WaitForAsync();
        await web.CheckPageAsync(page, "01-sign-in");
        await web.SignInAsync(page, "t.web1", "910001");

        var text = "Пара переносится в ауд. 305 " + Guid.NewGuid().ToString("N")[..6];
        await page.GetByLabel("Текст сообщения").FillAsync(text);
        await Assertions.Expect(page.Locator("#counters")).ToContainTextAsync("Telegram: " + text.Length);
        await page.GetByLabel("Поиск групп, потоков и людей по имени").FillAsync("Веб-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Добавить ИВТ-Веб-1" }).ClickAsync();
        await Assertions.Expect(page.Locator("#audience")).ToContainTextAsync("Получателей: 5");
        await Assertions.Expect(page.Locator("#audience")).ToContainTextAsync("Недоступны ни в одном канале: 1");
        await web.CheckPageAsync(page, "02-compose");

        await page.GetByRole(AriaRole.Button, new() { Name = "Проверить и отправить" }).ClickAsync();
        await Assertions.Expect(page.Locator("#confirm")).ToContainTextAsync("5 чел.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Отправить", Exact = true }).ClickAsync();
        await WebStack.WaitForMessagePageAsync(page);
        await Assertions.Expect(page.Locator("[data-state=done]")).ToBeVisibleAsync(new() { Timeout = (float)Delivery.TotalMilliseconds });
        var telegram = page.Locator("[data-channel=telegram]");
        await Assertions.Expect(telegram.Locator("[data-count=sent]")).ToHaveTextAsync("4");
        await Assertions.Expect(telegram.Locator("[data-count=noContact]")).ToHaveTextAsync("1");

        var inbox = await web.Ada.InboxAsync();
        var got = inbox.Where(m => m!["text"]!.GetValue<string>() == text).Select(m => m!["chatId"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["910101", "910102", "910103", "910104"], got);
        await Assertions.Expect(page.Locator("#not-reached")).ToHaveTextAsync("w1.s5");
        await web.CheckPageAsync(page, "03-delivery");

        // The receipts: filtered by status and channel by the API, and the CSV link downloads what the filters keep.
        var rows = page.Locator("#receipts tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(5);
        await page.GetByLabel("Статус", new() { Exact = true }).SelectOptionAsync("no_contact");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows).ToContainTextAsync("w1.s5");
        await Assertions.Expect(rows).ToContainTextAsync("нет контакта");
        var csvLink = page.Locator("#receipts-csv");
        await Assertions.Expect(csvLink).ToHaveAttributeAsync("href", new Regex("format=csv&status=no_contact$"));
        var download = await page.RunAndWaitForDownloadAsync(() => csvLink.ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var csv = (await File.ReadAllTextAsync((await download.PathAsync())!)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("userId,channel,status,detail,at", csv[0]);
        Assert.StartsWith("w1.s5,telegram,no_contact,", Assert.Single(csv[1..]), StringComparison.Ordinal);
        await page.GetByLabel("Статус", new() { Exact = true }).SelectOptionAsync("sent");
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        await page.GetByLabel("Канал", new() { Exact = true }).SelectOptionAsync("telegram");
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        await Assertions.Expect(csvLink).ToHaveAttributeAsync("href", new Regex("format=csv&status=sent&channel=telegram$"));
        download = await page.RunAndWaitForDownloadAsync(() => csvLink.ClickAsync());
        csv = (await File.ReadAllTextAsync((await download.PathAsync())!)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["w1.s1", "w1.s2", "w1.s3", "w1.s4"], csv[1..].Select(line => line.Split(',')[0]).Order());
        await page.GetByLabel("Статус", new() { Exact = true }).SelectOptionAsync("");
        await Assertions.Expect(rows).ToHaveCountAsync(5);
        await web.CheckPageAsync(page, "03b-receipts-filtered");

        // "Send again to those not reached": the choice of channels is labelled and fits a phone.
        await Assertions.Expect(page.GetByRole(AriaRole.Group, new() { Name = "Отправить ещё раз тем, кто не получил" })).ToBeVisibleAsync();
        await web.CheckPageAsync(page, "04-resend");
        var firstUrl = page.Url;
        await page.GetByRole(AriaRole.Button, new() { Name = "Отправить ещё раз", Exact = true }).ClickAsync();
        await WebStack.WaitForMessagePageAsync(page, url => url != firstUrl);
        await Assertions.Expect(page.Locator("[data-state=done]")).ToBeVisibleAsync(new() { Timeout = (float)Delivery.TotalMilliseconds });
        var resentId = WebStack.MessageIdOf(page);
        var resent = await web.GetAsync($"/v1/history/{resentId}");
        Assert.Equal(["w1.s5"], resent["to"]!["users"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.Equal(text, resent["text"]!.GetValue<string>());
        await web.CheckPageAsync(page, "04b-resent");

        await page.GetByRole(AriaRole.Link, new() { Name = "История" }).ClickAsync();
        await Assertions.Expect(page.Locator("table")).ToContainTextAsync(text[..20]);
        await web.CheckPageAsync(page, "05-history");
        });
    }

    [Fact]
    public async Task QuietHours_AreShownBeforeSending_AndAScheduledMessageCanBeCancelled()
    {
        await web.ImportTeacherWithGroupAsync(("t.web2", "Олег Преподаватель", "920001"), ("web-2", "ИВТ-Веб-2"), ("w2.s1", "920101"));
        var page = await web.NewPageAsync();
        await web.SignInAsync(page, "t.web2", "920001");
        var text = "Отменённое объявление " + Guid.NewGuid().ToString("N")[..6];
        await WebStack.ComposeAsync(page, text, "Веб-2", "ИВТ-Веб-2");
        await page.GetByLabel("Позже").CheckAsync();

        var inQuietHours = web.QuietFrom.AddHours(1);
        await page.GetByLabel("Дата и время").FillAsync(inQuietHours.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#quiet-hours")).ToContainTextAsync("тихие часы");
        await Assertions.Expect(page.Locator("#quiet-hours")).ToContainTextAsync(web.QuietFrom.AddHours(2).ToString("HH:mm", CultureInfo.InvariantCulture));
        await web.CheckPageAsync(page, "06-quiet-hours");

        var outside = DateTimeOffset.UtcNow.AddHours(1);
        await page.GetByLabel("Дата и время").FillAsync(outside.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#quiet-hours")).ToHaveCountAsync(0);
        await WebStack.ReviewAndSendAsync(page);
        await WebStack.WaitForMessagePageAsync(page);
        await Assertions.Expect(page.Locator("[data-state=scheduled]")).ToBeVisibleAsync();
        await web.CheckPageAsync(page, "06b-scheduled");
        var id = WebStack.MessageIdOf(page);

        // Reschedule from the live view: the new time is the institution's (UTC here), still outside quiet hours.
        var later = outside.AddMinutes(30);
        await page.GetByLabel("Перенести на").FillAsync(later.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Перенести", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#state")).ToContainTextAsync(later.ToString("dd.MM.yyyy HH:mm", CultureInfo.InvariantCulture));
        var deliverAt = DateTimeOffset.Parse((await web.GetAsync($"/v1/history/{id}"))["deliverAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.Equal(later.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture), deliverAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));

        await page.GetByRole(AriaRole.Button, new() { Name = "Отменить" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-state=cancelled]")).ToBeVisibleAsync();
        await web.CheckPageAsync(page, "06c-cancelled");
        Assert.Equal("cancelled", (await web.GetAsync($"/v1/history/{id}"))["state"]!.GetValue<string>());
        Assert.DoesNotContain(await web.Ada.InboxAsync("920101"), m => m!["text"]!.GetValue<string>() == text);

        // "Send now" on a scheduled message: it is delivered at once.
        var now = "Отправлено досрочно " + Guid.NewGuid().ToString("N")[..6];
        await page.GetByRole(AriaRole.Link, new() { Name = "Новое сообщение" }).ClickAsync();
        await WebStack.ComposeAsync(page, now, "Веб-2", "ИВТ-Веб-2");
        await page.GetByLabel("Позже").CheckAsync();
        await page.GetByLabel("Дата и время").FillAsync(outside.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await WebStack.ReviewAndSendAsync(page);
        await WebStack.WaitForMessagePageAsync(page, url => !url.EndsWith(Uri.EscapeDataString(id), StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("[data-state=scheduled]")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Отправить сейчас" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-state=done]")).ToBeVisibleAsync(new() { Timeout = (float)Delivery.TotalMilliseconds });
        Assert.Contains(await web.Ada.InboxAsync("920101"), m => m!["text"]!.GetValue<string>() == now);
    }

    [Fact]
    public async Task SignIn_IsInEnglish_WhenTheBrowserAsksForIt()
    {
        var page = await web.NewPageAsync("en-US");
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Ada" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Your login (Ada user id)")).ToBeVisibleAsync();
        await web.CheckPageAsync(page, "01b-sign-in-english");
    }

    [Fact]
    public async Task Keyboard_ReachesAndActivatesTheComposeControls_WithAVisibleFocus()
    {
        await web.ImportTeacherWithGroupAsync(("t.web6", "Вера Преподаватель", "960001"), ("web-6", "ИВТ-Веб-6"), ("w6.s1", "960101"));
        var page = await web.NewPageAsync();
        await web.SignInAsync(page, "t.web6", "960001");
        await web.StepsAsync(page, "keyboard", async () =>
        {
            var text = "С клавиатуры " + Guid.NewGuid().ToString("N")[..6];
            await WebStack.TabToAsync(page, "#text");
            await page.Keyboard.TypeAsync(text);
            await WebStack.TabToAsync(page, "#search");
            await page.Keyboard.TypeAsync("Веб-6");
            var add = "button[aria-label='Добавить ИВТ-Веб-6']";
            await page.Locator(add).WaitForAsync();
            await WebStack.TabToAsync(page, add);
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#audience")).ToContainTextAsync("Получателей: 1");

            await WebStack.TabToAsync(page, "form button[type=submit]");
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#confirm")).ToContainTextAsync("1 чел.");
            await web.CheckPageAsync(page, "11-keyboard-confirm");
            await WebStack.TabToAsync(page, "#confirm button:not(.secondary)");
            await page.Keyboard.PressAsync("Enter");
            await WebStack.WaitForMessagePageAsync(page);
            await web.CheckPageAsync(page, "11-keyboard");

            var id = WebStack.MessageIdOf(page);
            Assert.Equal(text, (await web.GetAsync($"/v1/history/{id}"))["text"]!.GetValue<string>());
        });
    }

    [Fact]
    public async Task ARefusal_IsShownInWords_NextToTheAddressees()
    {
        var students = Enumerable.Range(1, WebStack.TeacherRecipientLimit + 1)
            .Select(i => new { id = $"w3.s{i}", name = $"Студент {i}", role = "student", contacts = new Dictionary<string, string>() }).ToList();
        await web.ImportAsync(new
        {
            users = students.Cast<object>().Append(new { id = "t.web3", name = "Анна Преподаватель", role = "teacher",
                contacts = new Dictionary<string, string> { ["telegram"] = "930001" } }),
            groups = new[] { new { id = "web-3", name = "Большой поток", members = students.Select(s => s.id), owners = new[] { "t.web3" } } },
        });
        var page = await web.NewPageAsync();
        await web.SignInAsync(page, "t.web3", "930001");
        await WebStack.ComposeAsync(page, "Слишком много адресатов", "Большой", "Большой поток");
        await WebStack.ReviewAndSendAsync(page);
        var refusal = page.Locator("#to-error");
        await Assertions.Expect(refusal).ToContainTextAsync(WebStack.TeacherRecipientLimit.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(refusal).ToContainTextAsync((WebStack.TeacherRecipientLimit + 1).ToString(CultureInfo.InvariantCulture));
        await web.CheckPageAsync(page, "07-refusal");
        var history = await web.Ada.Admin.GetFromJsonAsync<JsonArray>("/v1/history?sender=t.web3");
        Assert.Empty(history!);
    }

    [Fact]
    public async Task Admin_CsvImportWithABadRow_IsPreviewedAndRefused_SignUpSheetAndApiPage()
    {
        await web.ImportAsync(new
        {
            users = new object[]
            {
                new { id = "t.web4", name = "Пётр Преподаватель", role = "teacher", contacts = new Dictionary<string, string>() },
                new { id = "w4.s1", name = "Мария Студентка", role = "student", contacts = new Dictionary<string, string>() },
                new { id = "w4.s2", name = "Иван Студент", role = "student", contacts = new Dictionary<string, string>() },
            },
            groups = new[] { new { id = "web-4", name = "ИВТ-Веб-4", members = new[] { "w4.s1", "w4.s2" }, owners = new[] { "t.web4" } } },
        });
        var page = await web.NewPageAsync();
        await web.StepsAsync(page, "admin", async () =>
        {
        await WebStack.SignInAsAdminAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Администрирование" }).ClickAsync();
        await page.GetByLabel("Или вставьте содержимое").FillAsync(
            "id,name,role,telegram\ncsv.one,Анна Первая,student,940001\ncsv.two,Борис Второй,boss,940002\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "Проверить (ничего не записывается)" }).ClickAsync();
        var errors = page.Locator("#import-errors");
        await Assertions.Expect(errors).ToContainTextAsync("Строка 3");
        await Assertions.Expect(errors).ToContainTextAsync("boss");
        await Assertions.Expect(page.Locator("#import-preview")).ToHaveCountAsync(0);
        await web.CheckPageAsync(page, "08-admin-import");
        using var one = await web.Ada.Admin.GetAsync("/v1/users/csv.one");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, one.StatusCode);

        await page.GetByRole(AriaRole.Link, new() { Name = "Подключение студентов" }).ClickAsync();
        await page.GetByLabel("Группа").SelectOptionAsync("web-4");
        await page.GetByRole(AriaRole.Button, new() { Name = "Выдать коды" }).ClickAsync();
        await Assertions.Expect(page.Locator(".sheet .code")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".sheet svg")).ToHaveCountAsync(2);
        await web.CheckPageAsync(page, "09-sign-up-sheet");

        await page.GetByRole(AriaRole.Link, new() { Name = "API" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("POST /v1/queue");
        await web.CheckPageAsync(page, "10-api-reference");
        });
    }

    [Fact]
    public async Task Admin_IssuesAndRevokesATokenShownOnce_SeesChannels_RetireOfALiveOneRefusedInWords_BrowsesTheDirectory()
    {
        await web.ImportAsync(new
        {
            users = new object[] { new { id = "t.web7", name = "Юлия Преподаватель", role = "teacher", contacts = new Dictionary<string, string>() } },
            groups = new[] { new { id = "web-7", name = "ИВТ-Веб-7", members = new[] { "t.web7" }, owners = new[] { "t.web7" } } },
        });
        var page = await web.NewPageAsync();
        await web.StepsAsync(page, "admin-pages", async () =>
        {
            await WebStack.SignInAsAdminAsync(page);
            await page.GetByRole(AriaRole.Link, new() { Name = "Администрирование" }).ClickAsync();
            await Assertions.Expect(page.Locator("#csv-layout")).ToContainTextAsync("stream");
            await web.CheckPageAsync(page, "12-admin");

            await page.GetByRole(AriaRole.Link, new() { Name = "Токены" }).ClickAsync();
            // The list the page loads first is shown before anything is issued (the page also ignores a late answer).
            await Assertions.Expect(page.Locator("#tokens").Or(page.GetByText("Токенов нет."))).ToBeVisibleAsync();
            await page.GetByLabel("Логин пользователя", new() { Exact = true }).FillAsync("t.web7");
            await page.GetByRole(AriaRole.Button, new() { Name = "Выдать токен" }).ClickAsync();
            await Assertions.Expect(page.GetByLabel("Токен", new() { Exact = true })).ToHaveValueAsync(new Regex(".{20,}"));
            var secret = await page.GetByLabel("Токен", new() { Exact = true }).InputValueAsync();
            Assert.True(secret.Length >= 20, secret);
            var tokens = await web.Ada.Admin.GetFromJsonAsync<JsonArray>("/v1/tokens?userId=t.web7");
            var id = tokens!.Single()!["id"]!.GetValue<string>();
            await Assertions.Expect(page.Locator($"tr[data-token='{id}']")).ToContainTextAsync("t.web7");
            Assert.DoesNotContain(secret, await page.Locator("#tokens").InnerTextAsync(), StringComparison.Ordinal);
            await web.CheckPageAsync(page, "13-admin-tokens");
            await page.GetByRole(AriaRole.Button, new() { Name = "Отозвать " + id }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Да, отозвать " + id }).ClickAsync();
            await Assertions.Expect(page.Locator($"tr[data-token='{id}']")).ToHaveCountAsync(0);
            Assert.Empty((await web.Ada.Admin.GetFromJsonAsync<JsonArray>("/v1/tokens?userId=t.web7"))!);

            await page.GetByRole(AriaRole.Link, new() { Name = "Каналы" }).ClickAsync();
            var telegram = page.Locator("section[data-channel=telegram]");
            await Assertions.Expect(telegram.Locator("[data-live=true]")).ToBeVisibleAsync();
            await telegram.GetByRole(AriaRole.Button, new() { Name = "Вывести из работы: Telegram" }).ClickAsync();
            await telegram.GetByRole(AriaRole.Button, new() { Name = "Да, вывести из работы" }).ClickAsync();
            await Assertions.Expect(page.Locator("#retire-error-telegram")).ToContainTextAsync("живой курьер");
            await web.CheckPageAsync(page, "14-admin-channels");

            await page.GetByRole(AriaRole.Link, new() { Name = "Люди, группы, потоки" }).ClickAsync();
            await Assertions.Expect(page.Locator("#directory tbody tr").First).ToBeVisibleAsync();
            await page.GetByLabel("Что").SelectOptionAsync("groups");
            await page.GetByLabel("Поиск по имени или идентификатору").FillAsync("Веб-7");
            await page.GetByRole(AriaRole.Button, new() { Name = "Найти" }).ClickAsync();
            await Assertions.Expect(page.Locator("#directory tbody tr")).ToHaveCountAsync(1);
            await page.GetByRole(AriaRole.Button, new() { Name = "Открыть ИВТ-Веб-7" }).ClickAsync();
            await Assertions.Expect(page.Locator("#record-json")).ToHaveValueAsync(new Regex("t\\.web7"));
            await web.CheckPageAsync(page, "15-admin-directory");

            await page.GetByRole(AriaRole.Link, new() { Name = "История" }).ClickAsync();
            await Assertions.Expect(page.Locator("#history").Or(page.Locator("#history-empty"))).ToBeVisibleAsync();
            await page.GetByLabel("Чьи сообщения").SelectOptionAsync("sender");
            await page.GetByLabel("Логин отправителя").FillAsync("t.web7");
            await page.GetByLabel("Состояние").SelectOptionAsync("cancelled");
            await page.GetByRole(AriaRole.Button, new() { Name = "Показать" }).ClickAsync();
            await Assertions.Expect(page.Locator("#history-empty")).ToBeVisibleAsync();
            await web.CheckPageAsync(page, "16-history-filtered");
        });
    }

    [Fact]
    public async Task Admin_ImportsPeopleGroupsAndStreamsFromCsv_ThePreviewCountsThem_TheDirectoryListsThem()
    {
        var page = await web.NewPageAsync();
        await web.StepsAsync(page, "csv-kinds", async () =>
        {
            await WebStack.SignInAsAdminAsync(page);
            await page.GetByRole(AriaRole.Link, new() { Name = "Администрирование" }).ClickAsync();
            await page.GetByLabel("Или вставьте содержимое").FillAsync("""
                kind,id,name,role,telegram,groups,members,owners
                person,csv.k1,Кира Первая,student,941001,csv-g2,,
                ,csv.k2,Лев Второй,student,,,,
                person,t.csvk,Нина Преподаватель,teacher,,,,
                group,csv-g1,ИВТ-CSV-1,,,,csv.k1 csv.k2,t.csvk
                group,csv-g2,ИВТ-CSV-2,,,,,t.csvk
                stream,csv-s1,Поток CSV,,,csv-g1|csv-g2,,t.csvk
                """);
            await page.GetByRole(AriaRole.Button, new() { Name = "Проверить (ничего не записывается)" }).ClickAsync();
            var preview = page.Locator("#import-preview");
            await Assertions.Expect(preview).ToContainTextAsync("люди: создано 3");
            await Assertions.Expect(preview).ToContainTextAsync("группы: создано 2");
            await Assertions.Expect(preview).ToContainTextAsync("потоки: создано 1");
            await web.CheckPageAsync(page, "17-admin-import-preview");
            using (var before = await web.Ada.Admin.GetAsync("/v1/supergroups/csv-s1"))
            {
                Assert.Equal(System.Net.HttpStatusCode.NotFound, before.StatusCode);
            }

            await preview.GetByRole(AriaRole.Button, new() { Name = "Импортировать" }).ClickAsync();
            await Assertions.Expect(page.GetByText("Импорт выполнен.")).ToBeVisibleAsync();
            var stream = await web.GetAsync("/v1/supergroups/csv-s1");
            Assert.Equal(["csv-g1", "csv-g2"], stream["groups"]!.AsArray().Select(g => g!.GetValue<string>()).Order());
            var second = await web.GetAsync("/v1/groups/csv-g2");
            Assert.Equal(["csv.k1"], second["members"]!.AsArray().Select(m => m!.GetValue<string>()));

            await page.GetByRole(AriaRole.Link, new() { Name = "Люди, группы, потоки" }).ClickAsync();
            await Assertions.Expect(page.Locator("#directory tbody tr").First).ToBeVisibleAsync();
            await page.GetByLabel("Что").SelectOptionAsync("supergroups");
            await page.GetByLabel("Поиск по имени или идентификатору").FillAsync("Поток CSV");
            await page.GetByRole(AriaRole.Button, new() { Name = "Найти" }).ClickAsync();
            var row = page.Locator("#directory tbody tr");
            await Assertions.Expect(row).ToHaveCountAsync(1);
            await Assertions.Expect(row).ToContainTextAsync("csv-s1");
            await Assertions.Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("2");
            await page.GetByLabel("Что").SelectOptionAsync("groups");
            await page.GetByLabel("Поиск по имени или идентификатору").FillAsync("ИВТ-CSV-1");
            await page.GetByRole(AriaRole.Button, new() { Name = "Найти" }).ClickAsync();
            await Assertions.Expect(row).ToHaveCountAsync(1);
            await Assertions.Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("2");
            await web.CheckPageAsync(page, "18-admin-directory-imported");
        });
    }

    [Fact]
    public async Task Staff_HistoryListsEverySendersMessages_AndFiltersBySender()
    {
        await web.ImportAsync(new
        {
            users = new object[]
            {
                new { id = "st.web8", name = "Деканат", role = "staff", contacts = new Dictionary<string, string> { ["telegram"] = "980001" } },
                new { id = "t.web8a", name = "Аркадий Преподаватель", role = "teacher", contacts = new Dictionary<string, string>() },
                new { id = "t.web8b", name = "Белла Преподаватель", role = "teacher", contacts = new Dictionary<string, string>() },
                new { id = "w8.s1", name = "Студент", role = "student", contacts = new Dictionary<string, string> { ["telegram"] = "980101" } },
            },
        });
        var texts = new Dictionary<string, string>();
        foreach (var teacher in new[] { "t.web8a", "t.web8b" })
        {
            using var client = web.Ada.Client(await web.Ada.TokenForAsync(teacher));
            texts[teacher] = $"От {teacher} " + Guid.NewGuid().ToString("N")[..6];
            using var queued = await client.PostAsJsonAsync("/v1/queue", new { text = texts[teacher], to = new { users = new[] { "w8.s1" } } });
            Assert.True(queued.IsSuccessStatusCode, await queued.Content.ReadAsStringAsync());
        }

        var page = await web.NewPageAsync();
        await web.SignInAsync(page, "st.web8", "980001");
        await web.StepsAsync(page, "staff-history", async () =>
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "История" }).ClickAsync();
            await Assertions.Expect(page.Locator("#history").Or(page.Locator("#history-empty"))).ToBeVisibleAsync();
            await page.GetByLabel("Чьи сообщения").SelectOptionAsync("all");
            await page.GetByRole(AriaRole.Button, new() { Name = "Показать" }).ClickAsync();
            var table = page.Locator("#history");
            await Assertions.Expect(table).ToContainTextAsync(texts["t.web8a"]);
            await Assertions.Expect(table).ToContainTextAsync(texts["t.web8b"]);
            await Assertions.Expect(table.Locator("td[data-sender]").First).ToBeVisibleAsync();
            await web.CheckPageAsync(page, "19-history-everyone");

            await page.GetByLabel("Чьи сообщения").SelectOptionAsync("sender");
            await page.GetByLabel("Логин отправителя").FillAsync("t.web8b");
            await page.GetByRole(AriaRole.Button, new() { Name = "Показать" }).ClickAsync();
            await Assertions.Expect(table.Locator("tbody tr")).ToHaveCountAsync(1);
            await Assertions.Expect(table).ToContainTextAsync(texts["t.web8b"]);
            await Assertions.Expect(table.Locator("td[data-sender]")).ToHaveTextAsync("t.web8b");

            await table.GetByRole(AriaRole.Link, new() { Name = texts["t.web8b"] }).ClickAsync();
            await WebStack.WaitForMessagePageAsync(page);
            Assert.StartsWith("t.web8b:", WebStack.MessageIdOf(page), StringComparison.Ordinal);
            await web.CheckPageAsync(page, "20-history-sender-opened");
        });
    }

    [Fact]
    public async Task LiveDelivery_ShowsHowManyWaitOnAChannelWhoseCourierIsDown()
    {
        await web.ImportAsync(new
        {
            users = new object[]
            {
                new { id = "t.web9", name = "Глеб Преподаватель", role = "teacher", contacts = new Dictionary<string, string> { ["telegram"] = "990001" } },
                new { id = "w9.s1", name = "Студент 1", role = "student", contacts = new Dictionary<string, string> { ["telegram"] = "990101", ["vk"] = "990201" } },
                new { id = "w9.s2", name = "Студент 2", role = "student", contacts = new Dictionary<string, string> { ["telegram"] = "990102" } },
            },
            groups = new[] { new { id = "web-9", name = "ИВТ-Веб-9", members = new[] { "w9.s1", "w9.s2" }, owners = new[] { "t.web9" } } },
        });
        var page = await web.NewPageAsync();
        await web.SignInAsync(page, "t.web9", "990001");
        // A VK courier ran once and is gone: the channel stays registered, and messages wait for it.
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(web.Ada.Redis.ConnectionString);
        await redis.GetDatabase(web.Ada.Database).HashSetAsync("channels", "vk", DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds());
        try
        {
            await Eventually.WaitAsync(async () => (await web.Ada.Admin.GetFromJsonAsync<JsonArray>("/v1/channels"))!
                .Any(c => c!["name"]!.GetValue<string>() == "vk"), TimeSpan.FromSeconds(30), "the vk channel registered");
            await web.StepsAsync(page, "courier-down", async () =>
            {
                await WebStack.ComposeAsync(page, "Ждём курьера ВКонтакте", "Веб-9", "ИВТ-Веб-9");
                await WebStack.ReviewAndSendAsync(page);
                await WebStack.WaitForMessagePageAsync(page);
                await Assertions.Expect(page.Locator("[data-channel=telegram] [data-count=sent]")).ToHaveTextAsync("2", new() { Timeout = (float)Delivery.TotalMilliseconds });
                var vk = page.Locator("[data-channel=vk]");
                await Assertions.Expect(vk.Locator("[data-waiting]")).ToHaveAttributeAsync("data-waiting", "2");
                await Assertions.Expect(vk).ToContainTextAsync("Курьер канала не работает: 2 чел. ждут доставки");
                await Assertions.Expect(page.Locator("[data-channel=telegram] [data-waiting]")).ToHaveCountAsync(0);
                await Assertions.Expect(page.Locator("[data-state=delivering]")).ToBeVisibleAsync();
                await web.CheckPageAsync(page, "21-delivery-courier-down");

                await page.GetByRole(AriaRole.Button, new() { Name = "Остановить" }).ClickAsync();
                await Assertions.Expect(page.Locator("[data-state=cancelled]")).ToBeVisibleAsync();
            });
        }
        finally
        {
            using var retired = await web.Ada.Admin.DeleteAsync("/v1/channels/vk");
            Assert.True(retired.IsSuccessStatusCode, await retired.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task CookieSession_OpensTheEventStream_ButAPostWithoutTheAntiforgeryTokenIsRefused()
    {
        await web.ImportTeacherWithGroupAsync(("t.web5", "Ольга Преподаватель", "950001"), ("web-5", "ИВТ-Веб-5"), ("w5.s1", "950101"));
        using var teacher = web.Ada.Client(await web.Ada.TokenForAsync("t.web5"));
        using var queued = await teacher.PostAsJsonAsync("/v1/queue", new { text = "По токену", to = new { groups = new[] { "web-5" } } });
        var id = (await queued.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        var page = await web.NewPageAsync();
        await web.SignInAsync(page, "t.web5", "950001");
        var snapshot = await page.EvaluateAsync<string>("""
            url => new Promise((resolve, reject) => {
                const events = new EventSource(url);
                events.addEventListener('snapshot', e => { events.close(); resolve(e.data); });
                events.onerror = () => { events.close(); reject(new Error('the event stream failed')); };
            })
            """, $"/v1/history/{Uri.EscapeDataString(id)}/events?timeout=5");
        Assert.Equal(id, JsonNode.Parse(snapshot)!["id"]!.GetValue<string>());

        var status = await page.EvaluateAsync<int>("""
            () => fetch('/v1/queue', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ text: 'forged', to: { groups: ['web-5'] } }) }).then(r => r.status)
            """);
        Assert.Equal(403, status);

        // A page of another origin posts with the browser's cookies, as a forged form would.
        await page.GotoAsync(new Uri(web.Ada.Sandbox.BaseAddress, "/health/live").ToString());
        await page.EvaluateAsync("""
            url => fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' },
                body: JSON.stringify({ text: 'forged', to: { groups: ['web-5'] } }) }).then(() => true, () => true)
            """, new Uri(web.Ada.ApiAddress, "/v1/queue").ToString());
        var history = await teacher.GetFromJsonAsync<JsonArray>("/v1/history?limit=50");
        Assert.Equal(["По токену"], history!.Select(m => m!["text"]!.GetValue<string>()));
    }
}
