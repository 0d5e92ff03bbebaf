using System.ComponentModel.DataAnnotations;
using Ada.Api.Http;
using Ada.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ada.Api.Auth;

/// <summary>
/// <c>Attempts:*</c>: how many wrong codes one sender may try (VK link codes, Telegram <c>/start</c> codes,
/// sign-in codes) before the sender is refused for the rest of the window.
/// </summary>
public sealed record AttemptOptions
{
    public const string Section = "Attempts";

    [Range(1, 1000, ErrorMessage = "Attempts__MaxFailures must be between 1 and 1000.")]
    public int MaxFailures { get; init; } = 10;

    [Range(1, 7 * 24 * 60, ErrorMessage = "Attempts__WindowMinutes must be between 1 and 10080.")]
    public int WindowMinutes { get; init; } = 60;
}

/// <summary>
/// Failed attempts at a guessable code, counted per kind (<c>vk</c>, <c>telegram</c>, <c>login</c>,
/// <c>address</c>) and sender (VK id, chat id, login, address) in Redis, so every API instance sees the
/// same count. The first failure opens a window (<see cref="AttemptOptions.WindowMinutes"/>); after
/// <see cref="AttemptOptions.MaxFailures"/> failures in it the sender is blocked until it ends, even with
/// the right code. Failures are logged with the sender, never with the code tried.
/// </summary>
public sealed class AttemptLimiter(IConnectionMultiplexer mux, IOptions<AttemptOptions> options, ILogger<AttemptLimiter> logger)
{
    /// <summary>Longer senders (logins, addresses are attacker-chosen) are keyed by their hash.</summary>
    private const int MaxSenderInKey = 128;

    public async Task<bool> IsBlockedAsync(string kind, string sender)
    {
        var failures = await mux.GetDatabase().StringGetAsync(Key(kind, sender));
        return failures.TryParse(out long count) && count >= options.Value.MaxFailures;
    }

    /// <summary>Counts one failure; true when the sender is now blocked.</summary>
    public async Task<bool> RecordFailureAsync(string kind, string sender)
    {
        var settings = options.Value;
        var key = Key(kind, sender);
        var tx = mux.GetDatabase().CreateTransaction();
        var count = tx.StringIncrementAsync(key);
        // The first failure opens the window; later ones do not extend it. One MULTI: never a counter without a TTL.
        _ = tx.KeyExpireAsync(key, TimeSpan.FromMinutes(settings.WindowMinutes), ExpireWhen.HasNoExpiry);
        await tx.ExecuteAsync();
        var failures = await count;
        if (failures == settings.MaxFailures)
        {
            logger.LogWarning("Blocked {Kind} code attempts from {Sender} for up to {Minutes} minutes after {Failures} failures",
                kind, Validation.Echo(sender), settings.WindowMinutes, failures);
            return true;
        }
        if (failures < settings.MaxFailures)
        {
            logger.LogInformation("Failed {Kind} code attempt from {Sender} ({Failures} of {MaxFailures})",
                kind, Validation.Echo(sender), failures, settings.MaxFailures);
        }
        return failures >= settings.MaxFailures;
    }

    /// <summary>Forgets the sender's failures (after a success).</summary>
    public async Task ResetAsync(string kind, string sender) => await mux.GetDatabase().KeyDeleteAsync(Key(kind, sender));

    private static RedisKey Key(string kind, string sender) =>
        Keys.Attempts(kind, sender.Length <= MaxSenderInKey && !sender.Any(char.IsControl)
            ? sender
            : "sha256:" + Ada.Core.Directory.TokenStore.Hash(sender));
}
