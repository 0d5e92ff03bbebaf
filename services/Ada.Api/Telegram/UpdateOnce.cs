using Ada.Core;
using Ada.Core.Redis;

namespace Ada.Api.Telegram;

/// <summary>
/// Each Telegram <c>update_id</c> is acted on once, whichever way it came in and however often Telegram
/// resends it: <c>telegram:update:&lt;id&gt;</c> through <see cref="WebhookOnce"/> (the one once-guard of every
/// webhook), marked done for a day (Telegram keeps an update 24 h).
/// </summary>
public sealed class UpdateOnce(WebhookOnce once)
{
    public static readonly TimeSpan Working = WebhookOnce.Working;
    public static readonly TimeSpan Kept = TimeSpan.FromDays(1);

    public Task<OnceTurn> BeginAsync(long updateId) => once.BeginAsync(Keys.TelegramUpdate(updateId));

    /// <summary>The work is recorded: the update may be acknowledged and is never acted on again.</summary>
    public Task DoneAsync(long updateId) => once.DoneAsync(Keys.TelegramUpdate(updateId), Kept);

    /// <summary>Acting failed: let Telegram's resend act.</summary>
    public Task ForgetAsync(long updateId) => once.ForgetAsync(Keys.TelegramUpdate(updateId));
}
