using Ada.Core.Messages;
using Ada.Core.Redis;
using StackExchange.Redis;

namespace Ada.Core.Directory;

/// <summary>What a link code did when someone sent it to the VK community.</summary>
public enum LinkOutcome
{
    /// <summary>The VK id is now the user's VK contact, active.</summary>
    Linked,

    /// <summary>Linked, and taken from the user who held the same VK id before.</summary>
    Moved,

    /// <summary>No such code: never issued, expired, already used, or its user is gone. Nothing changed.</summary>
    Unknown,
}

public sealed record LinkResult(LinkOutcome Outcome, string? UserId = null, string? PreviousOwner = null);

/// <summary>
/// The VK side of the directory: whose VK id this is (<c>address:vk</c>), the community's permission to
/// write to a person (VK's <c>message_allow</c>/<c>message_deny</c>), link codes, and the Callback API's
/// event ids already handled.
/// </summary>
public sealed class VkDirectory(IConnectionMultiplexer mux, DirectoryStore directory)
{
    private IDatabase Db => mux.GetDatabase();

    /// <summary>The user whose VK contact is <paramref name="vkId"/>, per the index (a hint: the scripts check the user).</summary>
    public Task<string?> OwnerAsync(string vkId) => directory.FindByAddressAsync(Channels.Vk, vkId);

    /// <summary>
    /// The person allowed the community's messages: their VK contact becomes active. Returns the user, or
    /// null when no user has this VK id; the allowance is then remembered in <c>vk:allowed</c>.
    /// </summary>
    public async Task<string?> AllowAsync(string vkId)
    {
        if (await OwnerAsync(vkId) is { } userId && await directory.ActivateContactAsync(Channels.Vk, userId, vkId))
        {
            return userId;
        }
        await Db.SetAddAsync(Keys.VkAllowed, vkId);
        return null;
    }

    /// <summary>The person denied the community's messages: their VK contact becomes inactive. Returns the user, if any.</summary>
    public async Task<string?> DenyAsync(string vkId)
    {
        await Db.SetRemoveAsync(Keys.VkAllowed, vkId);
        if (await OwnerAsync(vkId) is not { } userId)
        {
            return null;
        }
        // 0 from the script means already inactive, or the index entry is stale: nothing to do either way.
        await directory.DeactivateContactAsync(Channels.Vk, userId, vkId);
        return userId;
    }

    /// <summary>Whether a VK id allowed messages while no user had it.</summary>
    public async Task<bool> IsAllowedAsync(string vkId) => await Db.SetContainsAsync(Keys.VkAllowed, vkId);

    /// <summary>
    /// Attaches <paramref name="vkId"/> to the user a link code (canonical form) was issued for, once
    /// (see <c>lua/link_vk.lua</c>).
    /// </summary>
    public Task<LinkResult> LinkAsync(string code, string vkId) =>
        directory.LinkAsync(Script.LinkVk, Channels.Vk, code, vkId, Keys.VkAllowed);
}
