using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ada.Api.Http;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Group = Ada.Core.Directory.Group;

namespace Ada.Api.Directory;

/// <summary>
/// <c>contacts</c> maps a channel to an address: Telegram chat id, VK user id (string or number), SMS number, email address.
/// <c>language</c> (optional): <c>ru</c> or <c>en</c>, the language Ada answers this person in (Russian when absent).
/// <c>timeZone</c> (optional): the IANA zone the person lives in, e.g. <c>Asia/Vladivostok</c>; quiet hours apply in it
/// (the institution's zone, <c>Scheduling__TimeZone</c>, when absent).
/// </summary>
public sealed record UserBody(string? Id, string? Name, string? Role, Dictionary<string, JsonElement>? Contacts, string? Language = null,
    string? TimeZone = null);

public sealed record GroupBody(string? Id, string? Name, List<string?>? Members, List<string?>? Owners);

public sealed record SupergroupBody(string? Id, string? Name, List<string?>? Groups, List<string?>? Owners);

public sealed record ImportBody(List<UserBody?>? Users, List<GroupBody?>? Groups, List<SupergroupBody?>? Supergroups);

/// <summary><c>POST /v1/tokens</c>: whom the token acts as, and for how many days (default <c>Ada__TokenDays</c>).</summary>
public sealed record TokenBody(string? UserId, int? ExpiresInDays);

/// <summary>The secret, shown once, and what is kept of it.</summary>
public sealed record TokenAnswer(string Token, string Id, string UserId, string CreatedAt, string ExpiresAt);

/// <summary>A token as <c>GET /v1/tokens</c> lists it: never the secret.</summary>
public sealed record TokenInfo(string Id, string UserId, string CreatedAt, string ExpiresAt)
{
    public static TokenInfo From(TokenRecord r) =>
        new(r.Id, r.UserId, Core.Messages.AdaJson.Timestamp(r.CreatedAt), Core.Messages.AdaJson.Timestamp(r.ExpiresAt));
}

/// <summary>Turns request bodies into directory records, recording every problem in a <see cref="Validation"/>.</summary>
public static partial class DirectoryBodies
{
    public static User ToUser(this UserBody body, string id, string path, Validation v)
    {
        var name = v.Name(Field(path, "name"), body.Name);
        var role = body.Role?.Trim().ToLowerInvariant();
        if (role is null || !Roles.All.Contains(role))
        {
            v.Add(Field(path, "role"), $"'{Field(path, "role")}' must be one of {string.Join(", ", Roles.All)}" +
                (body.Role is null ? "." : $"; got {Validation.Echo(body.Role)}."));
        }
        var contacts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (channel, value) in body.Contacts ?? [])
        {
            var field = Field(path, $"contacts.{channel}");
            if (!Channels.All.Contains(channel))
            {
                v.Add(field, $"'{field}' is not a channel Ada knows ({string.Join(", ", Channels.All)}).");
            }
            else if (Address(channel, value, out var error) is { } address)
            {
                contacts[channel] = address;
            }
            else if (error is not null)
            {
                v.Add(field, $"'{field}' {error}");
            }
        }
        var language = body.Language?.Trim().ToLowerInvariant();
        if (language is { Length: 0 })
        {
            language = null;
        }
        else if (language is not null && !Languages.All.Contains(language))
        {
            v.Add(Field(path, "language"), $"'{Field(path, "language")}' must be one of {string.Join(", ", Languages.All)}, " +
                $"or left out (Russian); got {Validation.Echo(body.Language!)}.");
        }
        var zone = string.IsNullOrWhiteSpace(body.TimeZone) ? null : body.TimeZone.Trim();
        if (zone is not null && !IsIanaZone(zone))
        {
            v.Add(Field(path, "timeZone"), $"'{Field(path, "timeZone")}' must be an IANA time zone, e.g. \"Asia/Vladivostok\", " +
                $"or left out (the institution's zone); got {Validation.Echo(body.TimeZone!)}.");
        }
        return new User(id, name, role ?? "", contacts, [], language, zone);
    }

    /// <summary>A time zone id the system knows (the same test as a schedule's <c>timeZone</c>).</summary>
    private static bool IsIanaZone(string zone) => zone.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _);

    public static Group ToGroup(this GroupBody body, string id, string path, Validation v) => new(
        id,
        v.Name(Field(path, "name"), body.Name),
        v.EntityIds(Field(path, "members"), body.Members, "user"),
        v.EntityIds(Field(path, "owners"), body.Owners, "user"));

    public static Supergroup ToSupergroup(this SupergroupBody body, string id, string path, Validation v) => new(
        id,
        v.Name(Field(path, "name"), body.Name),
        v.EntityIds(Field(path, "groups"), body.Groups, "group"),
        v.EntityIds(Field(path, "owners"), body.Owners, "user"));

    /// <summary>The id in the path and the optional <c>id</c> in the body must agree.</summary>
    public static void SameId(string routeId, string? bodyId, Validation v)
    {
        if (bodyId is not null && bodyId != routeId)
        {
            v.Add("id", $"'id' {Validation.Echo(bodyId)} differs from the id in the path {Validation.Echo(routeId)}.");
        }
    }

    private static string Field(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>The canonical address, or null: with an error, or without one when the contact is absent (null or "").</summary>
    private static string? Address(string channel, JsonElement value, out string? error)
    {
        error = null;
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!.Trim(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.Null => "",
            _ => null,
        };
        if (text is null)
        {
            error = "must be a string or a number.";
            return null;
        }
        if (text.Length == 0)
        {
            return null;
        }
        switch (channel)
        {
            case Channels.Telegram when TelegramChatId().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chat):
                return chat.ToString(CultureInfo.InvariantCulture);
            case Channels.Telegram:
                error = $"must be an integer Telegram chat id, e.g. \"123456789\"; got {Validation.Echo(text)}.";
                return null;
            case Channels.Vk when VkUserId().IsMatch(text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var vk) && vk > 0:
                return vk.ToString(CultureInfo.InvariantCulture);
            case Channels.Vk:
                error = $"must be a positive integer VK user id, e.g. \"1234567\"; got {Validation.Echo(text)}.";
                return null;
            case Channels.Email when EmailAddresses.TryNormalize(text, out var email):
                return email;
            case Channels.Email:
                error = $"must be a plain email address, e.g. \"ivanova@university.ru\" (no name, at most {EmailAddresses.MaxLength} characters); got {Validation.Echo(text)}.";
                return null;
            default:
                if (PhoneNumbers.International(text) is { } phone)
                {
                    return phone;
                }
                error = $"must be a phone number in E.164 form, '+' and {PhoneNumbers.MinDigits}-{PhoneNumbers.MaxDigits} digits, " +
                    $"e.g. \"+79991234567\"; got {Validation.Echo(text)}.";
                return null;
        }
    }

    [GeneratedRegex("^-?[0-9]{1,19}$")]
    private static partial Regex TelegramChatId();

    [GeneratedRegex("^[0-9]{1,19}$")]
    private static partial Regex VkUserId();

}
