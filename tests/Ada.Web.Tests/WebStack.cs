namespace Ada.Web.Tests;

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebStack>
{
    public const string Name = "web";
}

/// <summary>
/// One real Ada (redis-server, sandbox, API serving the web app, a Telegram courier) and one headless
/// Debian Chromium driven by Playwright, shared by the browser tests; each test signs in in a fresh
/// browser context (its own cookies). Quiet hours are a window 3-5 hours from now in UTC, so "now" is
/// outside and a time 4 hours ahead is inside.
/// </summary>
public sealed partial class WebStack : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public static readonly string[] ChromiumFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    public const int TeacherRecipientLimit = 30;

    private readonly RedisServer _redis = new();
    private IPlaywright? _playwright;

    public AdaStack Ada { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public DateTimeOffset QuietFrom { get; private set; }
    public string ScreenshotDir { get; } = Path.Combine(RepositoryRoot(), ".run", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException(
                $"{Chromium} is missing: the browser tests need Debian's chromium package (apt-get install -y chromium; deploy/test.sh installs it).");
        }
        await _redis.InitializeAsync();
        var now = DateTimeOffset.UtcNow;
        QuietFrom = now.AddHours(3);
        var quiet = $"{QuietFrom:HH:mm}-{now.AddHours(5):HH:mm}";
        Ada = await AdaStack.StartAsync(_redis, api: new Dictionary<string, string>
        {
            ["Scheduling__QuietHours"] = quiet,
            ["Scheduling__TimeZone"] = "UTC",
            ["Limits__Teacher__RecipientsPerMessage"] = TeacherRecipientLimit.ToString(CultureInfo.InvariantCulture),
        });
        // Expect(…) assertions wait 5 s by default, whatever the context's timeout: a page that renders in 6 s on a
        // machine busy with a full test run failed them. They wait on conditions, so a fast run stays fast.
        Assertions.SetDefaultExpectTimeout(60_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ChromiumFlags,
        });
        Directory.CreateDirectory(ScreenshotDir);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (Ada is not null)
        {
            await Ada.DisposeAsync();
        }
        await _redis.DisposeAsync();
    }

    /// <summary>A new browser context in Russian (or <paramref name="locale"/>), 360 px wide like a phone.</summary>
    public async Task<IPage> NewPageAsync(string locale = "ru-RU")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Ada.ApiAddress.ToString(),
            Locale = locale,
            ViewportSize = new ViewportSize { Width = 360, Height = 780 },
        });
        // Generous: the machine may be busy building; every wait is on a condition, so a fast run stays fast.
        context.SetDefaultTimeout(60_000);
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the page with the code Ada sends to <paramref name="chatId"/>'s Telegram (read from the sandbox inbox).</summary>
    public async Task SignInAsync(IPage page, string login, string chatId)
    {
        var before = (await Ada.InboxAsync(chatId)).Count;
        await page.GotoAsync("/");
        await page.GetByLabel("Ваш логин").FillAsync(login);
        await page.GetByRole(AriaRole.Button, new() { Name = "Получить код" }).ClickAsync();
        await page.GetByLabel("Код из сообщения Ada").WaitForAsync();
        string? code = null;
        await Eventually.WaitAsync(async () =>
        {
            var inbox = await Ada.InboxAsync(chatId);
            if (inbox.Count <= before)
            {
                return false;
            }
            code = SixDigits().Match(inbox[^1]!["text"]!.GetValue<string>()).Value;
            return code.Length == 6;
        }, TimeSpan.FromSeconds(30), $"a sign-in code in {chatId}'s Telegram");
        await page.GetByLabel("Код из сообщения Ada").FillAsync(code!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Войти", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Новое сообщение" }).WaitForAsync();
    }

    public async Task ImportAsync(object directory)
    {
        using var response = await Ada.Admin.PostAsJsonAsync("/v1/import", directory);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A teacher and the group they own, of one student (named "Студент"); both reach Telegram in the sandbox, the
    /// teacher at <c>teacher.Chat</c> (where the sign-in code goes).
    /// </summary>
    public Task ImportTeacherWithGroupAsync((string Id, string Name, string Chat) teacher, (string Id, string Name) group,
        (string Id, string Chat) student) =>
        ImportAsync(new
        {
            users = new object[]
            {
                new { id = teacher.Id, name = teacher.Name, role = "teacher", contacts = new Dictionary<string, string> { ["telegram"] = teacher.Chat } },
                new { id = student.Id, name = "Студент", role = "student", contacts = new Dictionary<string, string> { ["telegram"] = student.Chat } },
            },
            groups = new[] { new { id = group.Id, name = group.Name, members = new[] { student.Id }, owners = new[] { teacher.Id } } },
        });

    public async Task<JsonObject> GetAsync(string path) => (await Ada.Admin.GetFromJsonAsync<JsonObject>(path))!;

    /// <summary>On the compose page: types <paramref name="text"/>, searches for <paramref name="search"/> and adds <paramref name="addressee"/>.</summary>
    public static async Task ComposeAsync(IPage page, string text, string search, string addressee)
    {
        await page.GetByLabel("Текст сообщения").FillAsync(text);
        await page.GetByLabel("Поиск групп, потоков и людей по имени").FillAsync(search);
        await page.GetByRole(AriaRole.Button, new() { Name = $"Добавить {addressee}" }).ClickAsync();
    }

    /// <summary>Reviews the composed message and sends it ("Проверить и отправить", then "Отправить").</summary>
    public static async Task ReviewAndSendAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Проверить и отправить" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Отправить", Exact = true }).ClickAsync();
    }

    /// <summary>
    /// Waits until the app shows a live-delivery page (<c>/messages/{id}</c>) whose URL also passes <paramref name="also"/>,
    /// polling <c>page.Url</c>. The app moves inside the document (history.pushState); Playwright's WaitForURL waited out
    /// its 60 s twice in the keyboard test with <c>page.Url</c> already on the message page, so the URL is polled instead.
    /// </summary>
    public static async Task WaitForMessagePageAsync(IPage page, Func<string, bool>? also = null)
    {
        await Eventually.WaitAsync(() => Task.FromResult(page.Url.Contains("/messages/", StringComparison.Ordinal) && (also is null || also(page.Url))),
            TimeSpan.FromSeconds(60), "the live-delivery page (/messages/{id})");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Доставка сообщения" })).ToBeVisibleAsync();
    }

    /// <summary>The message id of the live-delivery page the browser shows (<c>/messages/{id}</c>).</summary>
    public static string MessageIdOf(IPage page) =>
        Uri.UnescapeDataString(page.Url[(page.Url.IndexOf("/messages/", StringComparison.Ordinal) + 10)..]);

    /// <summary>Signs in with the admin token through the sign-in page's admin form.</summary>
    public static async Task SignInAsAdminAsync(IPage page)
    {
        await page.GotoAsync("/");
        await page.GetByText("Вход для администратора по токену").ClickAsync();
        await page.GetByLabel("Токен администратора").FillAsync(AdaStack.AdminToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Войти", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Новое сообщение" }).WaitForAsync();
    }

    /// <summary>Runs a test's steps; on failure saves a screenshot and adds the page's text to the exception.</summary>
    public async Task StepsAsync(IPage page, string test, Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException or Xunit.Sdk.XunitException)
        {
            await ScreenshotAsync(page, "FAILED-" + test);
            var text = await page.Locator("body").InnerTextAsync(new() { Timeout = 5_000 });
            throw new InvalidOperationException($"{e.Message}\n--- the page ({page.Url}) ---\n{text}", e);
        }
    }

    /// <summary>
    /// Narrows the page to a 360×740 phone and asserts nothing makes it scroll sideways
    /// (<c>document.documentElement.scrollWidth</c> at most 360; a failure names the innermost widest element), and
    /// that no box inside it scrolls sideways either (a wide table in a scrolling wrapper, say).
    /// </summary>
    public static async Task AssertFitsPhoneAsync(IPage page)
    {
        await page.SetViewportSizeAsync(360, 740);
        var measured = await page.EvaluateAsync<System.Text.Json.JsonElement>("""
            () => {
                let widest = null;
                for (const e of document.querySelectorAll('body *')) {
                    if (!widest || e.getBoundingClientRect().right >= widest.getBoundingClientRect().right) { widest = e; }
                }
                const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '');
                // A box that scrolls sideways inside the page (a wide table in its wrapper) hides part of itself on a phone too.
                const scrolling = [...document.querySelectorAll('body *')]
                    .filter(e => e.offsetParent !== null && !['TEXTAREA', 'INPUT', 'SELECT'].includes(e.tagName))
                    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
                    .map(e => name(e) + ' (' + e.scrollWidth + ' px in ' + e.clientWidth + ')');
                return { width: document.documentElement.scrollWidth, widest: widest ? name(widest) : '', scrolling };
            }
            """);
        var (width, widest) = (measured.GetProperty("width").GetInt32(), measured.GetProperty("widest").GetString());
        Assert.True(width <= 360, $"{page.Url} is {width} px wide in a 360 px viewport (widest: {widest}): it scrolls sideways.");
        var scrolling = measured.GetProperty("scrolling").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.True(scrolling.Count == 0, $"{page.Url}: at 360 px these scroll sideways inside the page: {string.Join(", ", scrolling)}");
    }

    /// <summary>
    /// Asserts every visible input, select, textarea and button on the page has an accessible name: a label
    /// (<c>label[for]</c> or a wrapping label), <c>aria-label</c>, <c>aria-labelledby</c>, or (buttons) its text.
    /// A failure lists the unnamed controls.
    /// </summary>
    public static async Task AssertLabelledAsync(IPage page)
    {
        var unnamed = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
                .filter(e => e.offsetParent !== null)
                .filter(e => {
                    const text = s => (s || '').trim().length > 0;
                    if (text(e.getAttribute('aria-label'))) return false;
                    const by = e.getAttribute('aria-labelledby');
                    if (by && by.split(/\s+/).some(id => text(document.getElementById(id)?.textContent))) return false;
                    if ([...(e.labels || [])].some(l => text(l.textContent))) return false;
                    if (e.tagName === 'BUTTON' && text(e.textContent)) return false;
                    return true;
                })
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[name=' + e.name + ']' : ''))
            """);
        Assert.True(unnamed.Length == 0, $"{page.Url}: controls without an accessible name: {string.Join(", ", unnamed)}");
    }

    /// <summary>Screenshot, no sideways scroll at 360 px, every control named: what each page of the app is checked for.</summary>
    public async Task CheckPageAsync(IPage page, string screenshot)
    {
        await ScreenshotAsync(page, screenshot);
        await AssertFitsPhoneAsync(page);
        await AssertLabelledAsync(page);
    }

    /// <summary>
    /// Presses Tab until the element matching <paramref name="selector"/> has the focus (at most 40 presses, a round
    /// of the page), then asserts the focus is visible: <c>:focus-visible</c> with an outline drawn.
    /// </summary>
    public static async Task TabToAsync(IPage page, string selector)
    {
        for (var presses = 0; presses < 40; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) === true", selector))
            {
                var visible = await page.EvaluateAsync<bool>("""
                    () => {
                        const e = document.activeElement, style = getComputedStyle(e);
                        return e.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                    }
                    """);
                Assert.True(visible, $"{selector} has the keyboard focus but no visible focus ring.");
                return;
            }
        }
        Assert.Fail($"{selector} was not reached with Tab in 40 presses.");
    }

    public async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png"), FullPage = true });

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();

    public static string RepositoryRootPath => RepositoryRoot();

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ada.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Ada.sln not found above " + AppContext.BaseDirectory);
    }
}
