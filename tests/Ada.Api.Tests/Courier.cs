using Ada.Core.Redis;

namespace Ada.Api.Tests;

/// <summary>A courier's side of the scripts, run by hand: what a Telegram courier does when it sends a message.</summary>
public static class Courier
{
    public const string Owner = "test-courier";

    public static async Task<string> ClaimAsync(AdaApplication app, string id, string channel = Channels.Telegram)
    {
        var scripts = app.Services.GetRequiredService<AdaScripts>();
        var result = (RedisResult[])(await scripts.RunAsync(app.Db, Script.Claim,
            [Keys.History(id), Keys.Claim(id, channel)], [channel, Owner, 30_000, Now()]))!;
        return result[0].ToString();
    }

    /// <summary>Reports one receipt per user (sent) and finishes the channel.</summary>
    public static async Task<string> ReportAsync(AdaApplication app, string id, IEnumerable<string> sentTo, string channel = Channels.Telegram)
    {
        var scripts = app.Services.GetRequiredService<AdaScripts>();
        var args = new List<RedisValue> { channel, Owner, "1", Now(), id };
        foreach (var user in sentTo)
        {
            args.Add($"{channel}:{user}");
            args.Add(ReceiptStatus.Sent);
            args.Add("");
            args.Add(AdaJson.Serialize(new Receipt(user, channel, ReceiptStatus.Sent, ProviderMessageId: "m-" + user)));
        }
        var result = (RedisResult[])(await scripts.RunAsync(app.Db, Script.Report,
            [Keys.History(id), Keys.Receipts(id), Keys.Claim(id, channel), Keys.DueFor(id), Keys.Delivery(id)], [.. args]))!;
        return result[0].ToString();
    }

    private static string Now() => AdaJson.Timestamp(DateTimeOffset.UtcNow);
}
