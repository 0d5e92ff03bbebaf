using StackExchange.Redis;

namespace Ada.Core.Redis;

/// <summary>What <see cref="WebhookOnce.BeginAsync"/> found for a delivery.</summary>
public enum OnceTurn
{
    /// <summary>Nobody had it: this instance acts on it now.</summary>
    Act,

    /// <summary>It was handled already (a provider's retry, a poller takeover): acknowledge and do nothing.</summary>
    Done,

    /// <summary>Another instance is acting on it right now: do not acknowledge yet; if that one dies, the claim lapses.</summary>
    Busy,
}

/// <summary>What <see cref="WebhookOnce.RunAsync{T}"/> did: acted (<see cref="OnceTurn.Act"/>, with its result), or not and why.</summary>
public readonly record struct Once<T>(OnceTurn Turn, T? Value)
{
    public bool Replayed => Turn == OnceTurn.Done;
}

/// <summary>
/// Acts on a provider's delivery (an SMS gateway webhook, a VK callback event, a Telegram update) once, however
/// often the provider resends it and whichever API instance receives it. The delivery's key is claimed with
/// <c>SET NX</c> for <see cref="Working"/> while an instance acts, then marked done for as long as the provider
/// may resend. Acting that fails forgets the key, and a crash while acting lets the claim lapse: either way the
/// provider's resend acts, so nothing acknowledged is lost and nothing is done twice.
/// </summary>
public sealed class WebhookOnce(IConnectionMultiplexer mux)
{
    public static readonly TimeSpan Working = TimeSpan.FromSeconds(30);
    private const string WorkingValue = "working";
    private const string DoneValue = "done";

    public async Task<OnceTurn> BeginAsync(RedisKey key)
    {
        var db = mux.GetDatabase();
        if (await db.StringSetAsync(key, WorkingValue, Working, When.NotExists))
        {
            return OnceTurn.Act;
        }
        return await db.StringGetAsync(key) == DoneValue ? OnceTurn.Done : OnceTurn.Busy;
    }

    /// <summary>The work is recorded: the delivery may be acknowledged and is not acted on again within <paramref name="kept"/>.</summary>
    public async Task DoneAsync(RedisKey key, TimeSpan kept) => await mux.GetDatabase().StringSetAsync(key, DoneValue, kept);

    /// <summary>Acting failed, or Ada wants the provider to send it again (it could not be applied yet).</summary>
    public async Task ForgetAsync(RedisKey key) => await mux.GetDatabase().KeyDeleteAsync(key);

    /// <summary>Runs <paramref name="act"/> unless the delivery was handled (or is being handled) already; remembers it for <paramref name="kept"/>.</summary>
    public async Task<Once<T>> RunAsync<T>(RedisKey key, TimeSpan kept, Func<Task<T>> act)
    {
        var turn = await BeginAsync(key);
        if (turn != OnceTurn.Act)
        {
            return new Once<T>(turn, default);
        }
        T value;
        try
        {
            value = await act();
        }
        catch
        {
            await ForgetAsync(key);
            throw;
        }
        await DoneAsync(key, kept);
        return new Once<T>(OnceTurn.Act, value);
    }

    /// <summary>Runs <paramref name="act"/> once; the turn says whether it acted.</summary>
    public async Task<OnceTurn> RunAsync(RedisKey key, TimeSpan kept, Func<Task> act) =>
        (await RunAsync(key, kept, async () =>
        {
            await act();
            return true;
        })).Turn;
}
