using Ada.Core.Messages;
using Ada.Core.Redis;

namespace Ada.Core.Directory;

/// <summary>
/// The Telegram side of the directory, as the bot sees it: whose chat this is (<c>address:telegram</c>,
/// checked against the user's document), linking a chat by a link code (<c>/start &lt;code&gt;</c>), and
/// the person turning Telegram off and on (<c>/stop</c>, blocking the bot, <c>/start</c>).
/// </summary>
public sealed class TelegramDirectory(DirectoryStore directory)
{
    /// <summary>The user whose Telegram contact is this chat (active or not); null when none.</summary>
    public async Task<User?> OwnerAsync(long chatId)
    {
        var address = Address(chatId);
        return await directory.FindByAddressAsync(Channels.Telegram, address) is { } userId
            && await directory.GetUserAsync(userId) is { } user
            && user.Contacts.TryGetValue(Channels.Telegram, out var contact) && contact == address
                ? user
                : null;
    }

    /// <summary>Attaches the chat to the user a link code (canonical form) was issued for, once (<c>lua/link_telegram.lua</c>).</summary>
    public Task<LinkResult> LinkAsync(string code, long chatId) =>
        directory.LinkAsync(Script.LinkTelegram, Channels.Telegram, code, Address(chatId));

    /// <summary>The person said <c>/stop</c> or blocked the bot: their Telegram contact becomes inactive. False when it already was.</summary>
    public Task<bool> DeactivateAsync(string userId, long chatId) =>
        directory.DeactivateContactAsync(Channels.Telegram, userId, Address(chatId));

    /// <summary>The person started the bot again: their Telegram contact (this chat) becomes active.</summary>
    public Task<bool> ActivateAsync(string userId, long chatId) =>
        directory.ActivateContactAsync(Channels.Telegram, userId, Address(chatId));

    /// <summary>A chat id as the directory keeps it: the decimal number.</summary>
    public static string Address(long chatId) => chatId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
