using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Ada.Sandbox.Tests;

/// <summary>
/// The sandbox in memory, one per test so rate limits and faults never leak between tests. Every client it makes
/// sends the control token. Its settings are the control token, then <see cref="Defaults"/>, then the test's own:
/// the last of a key wins, so a test can take the token away.
/// </summary>
public abstract class SandboxFactory((string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    /// <summary>What this kind of sandbox is configured with before the test's own settings.</summary>
    protected virtual IEnumerable<(string Key, string Value)> Defaults => [];

    /// <summary>What <see cref="ReadInboxAsync"/> asks for when not told.</summary>
    protected virtual string InboxQuery => "";

    public async Task PutAsync(string path, object body)
    {
        using var http = CreateClient();
        using var response = await http.PutAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
    }

    public async Task<InboxPageView> ReadInboxAsync(string? query = null)
    {
        using var http = CreateClient();
        return (await http.GetFromJsonAsync<InboxPageView>($"/sandbox/inbox{query ?? InboxQuery}"))!;
    }

    /// <summary>
    /// Starts the sandbox's services (<see cref="Extensions.AddSandbox"/>) with <paramref name="settings"/> and returns
    /// what stopped the start. Not through the factory: when a start fails, <see cref="WebApplicationFactory{T}"/>
    /// sometimes reports an <see cref="ObjectDisposedException"/> of its own instead (dotnet/aspnetcore#33494).
    /// </summary>
    public static async Task<Exception> StartupErrorAsync(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(
            settings.Prepend((Key: ControlToken.Setting, Value: SandboxApplication.ControlToken))
                .Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.AddSandbox();
        await using var app = builder.Build();
        var error = await Record.ExceptionAsync(() => app.StartAsync());
        if (error is null)
        {
            await app.StopAsync();
        }
        return Assert.IsAssignableFrom<Exception>(error);
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add(ControlToken.Header, SandboxApplication.ControlToken);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in Defaults.Prepend((ControlToken.Setting, SandboxApplication.ControlToken)).Concat(settings))
        {
            merged[key] = value;
        }

        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(merged));
    }
}
