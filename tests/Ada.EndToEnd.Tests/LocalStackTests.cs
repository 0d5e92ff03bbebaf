namespace Ada.EndToEnd.Tests;

/// <summary>
/// What the local run (deploy/run.sh → deploy/Ada.Stack) promises about production defaults (issue 14, point 8),
/// checked on the builder it runs: a channel with real credentials is never imitated by the sandbox beside it, and
/// the services' logs are their owner's alone.
/// </summary>
[Collection(RedisCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LocalStackTests(RedisServer redis)
{
    [Fact]
    public async Task RealTelegramCredentials_TheSandboxImitatesEveryOtherChannelButNotTelegram_LogsAreTheOwnersOnly()
    {
        var logs = Directory.CreateTempSubdirectory("ada-local-stack-");
        try
        {
            await using (var ada = await AdaProcesses.StartAsync(new AdaProcessesOptions
            {
                Redis = await redis.NewTargetAsync(),
                RealChannels = new HashSet<string> { StackChannels.Telegram },
                Couriers = [],
                Launch = new Launch { LogDirectory = logs.FullName },
            }))
            {
                using var sandbox = ada.SandboxClient();
                var token = ada.Secrets.TelegramToken;

                using var getMe = await sandbox.PostAsync($"/bot{token}/getMe", null);
                using var telegramInbox = await sandbox.GetAsync("/sandbox/telegram/chat/1");
                using var vkInbox = await sandbox.GetAsync("/sandbox/inbox?channel=vk");
                using var email = await sandbox.GetAsync("/sandbox/email");

                Assert.Equal(HttpStatusCode.NotFound, getMe.StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, telegramInbox.StatusCode);
                Assert.Equal(HttpStatusCode.OK, vkInbox.StatusCode);
                Assert.Equal(HttpStatusCode.OK, email.StatusCode);
                // The API got no sandbox bot: the real one's settings would come from the environment.
                Assert.False(ada.ApiEnvironment().ContainsKey("Telegram__BaseUrl"));
            }

            var files = logs.GetFiles("*.log");
            Assert.Contains(files, f => f.Name.StartsWith("sandbox", StringComparison.Ordinal));
            Assert.Contains(files, f => f.Name.StartsWith("api", StringComparison.Ordinal));
            Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f.FullName)));
        }
        finally
        {
            logs.Delete(recursive: true);
        }
    }
}
