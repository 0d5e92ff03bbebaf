using Ada.Core;
using StackExchange.Redis;

namespace Ada.Api.Telegram;

/// <summary>What <see cref="UpdateOnce"/> found for an update.</summary>
public enum UpdateTurn
{
    /// <summary>Nobody had it: this instance acts on it now.</summary>
    Act,

    /// <summary>It was handled already (a webhook retry, a poller takeover): acknowledge and do nothing.</summary>
    Done,

    /// <summary>Another instance is acting on it right now: do not acknowledge yet; if that one dies, the claim lapses.</summary>
    Busy,
}

/// <summary>
/// Each Telegram <c>update_id</c> is acted on once, whichever way it came in and however often Telegram
/// resends it. <c>telegram:update:&lt;id&gt;</c> is claimed with <c>SET NX</c> for <see cref="Working"/> while
/// an instance acts, then marked done for a day (Telegram keeps an update 24 h). A crash while acting lets
/// the claim lapse, so the resent update is acted on then: nothing acknowledged is lost. Not
/// <see cref="Ada.Core.Redis.WebhookOnce"/>, which records the id for its whole TTL before acting: a process
/// killed while acting would lose the command, and the poller must tell "done" (acknowledge) from
/// "another instance is on it" (wait).
/// </summary>
public sealed class UpdateOnce(IConnectionMultiplexer mux)
{
    public static readonly TimeSpan Working = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Kept = TimeSpan.FromDays(1);
    private const string WorkingValue = "working";
    private const string DoneValue = "done";

    public async Task<UpdateTurn> BeginAsync(long updateId)
    {
        var db = mux.GetDatabase();
        if (await db.StringSetAsync(Keys.TelegramUpdate(updateId), WorkingValue, Working, When.NotExists))
        {
            return UpdateTurn.Act;
        }
        return await db.StringGetAsync(Keys.TelegramUpdate(updateId)) == DoneValue ? UpdateTurn.Done : UpdateTurn.Busy;
    }

    /// <summary>The work is recorded: the update may be acknowledged and is never acted on again.</summary>
    public async Task DoneAsync(long updateId) =>
        await mux.GetDatabase().StringSetAsync(Keys.TelegramUpdate(updateId), DoneValue, Kept);

    /// <summary>Acting failed: let Telegram's resend act.</summary>
    public async Task ForgetAsync(long updateId) => await mux.GetDatabase().KeyDeleteAsync(Keys.TelegramUpdate(updateId));
}
