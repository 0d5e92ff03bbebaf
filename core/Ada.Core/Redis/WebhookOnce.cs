using StackExchange.Redis;

namespace Ada.Core.Redis;

/// <summary>What <see cref="WebhookOnce.RunAsync{T}"/> did: acted (with its result), or found the delivery handled already.</summary>
public readonly record struct Once<T>(bool Replayed, T? Value);

/// <summary>
/// Acts on a provider's webhook delivery once. Providers resend what they got no 2xx for (the SMS gateway for
/// about two days, VK, Telegram), and every API instance may receive the copy: the delivery's id is recorded
/// with <c>SET NX</c> and a TTL longer than the provider retries, shared by all instances. When acting fails,
/// the id is forgotten, so the provider's retry acts. Used by the SMS and VK webhooks (and the bot's).
/// </summary>
public sealed class WebhookOnce(IConnectionMultiplexer mux)
{
    /// <summary>Runs <paramref name="act"/> unless <paramref name="key"/> was recorded within <paramref name="remember"/>.</summary>
    public async Task<Once<T>> RunAsync<T>(RedisKey key, TimeSpan remember, Func<Task<T>> act)
    {
        if (!await mux.GetDatabase().StringSetAsync(key, 1, remember, When.NotExists))
        {
            return new Once<T>(true, default);
        }
        try
        {
            return new Once<T>(false, await act());
        }
        catch
        {
            await ForgetAsync(key);
            throw;
        }
    }

    /// <summary>Runs <paramref name="act"/> once; false when the delivery was handled already.</summary>
    public async Task<bool> RunAsync(RedisKey key, TimeSpan remember, Func<Task> act) =>
        !(await RunAsync(key, remember, async () =>
        {
            await act();
            return true;
        })).Replayed;

    /// <summary>Forgets a delivery Ada wants the provider to send again (it could not be applied yet).</summary>
    public async Task ForgetAsync(RedisKey key) => await mux.GetDatabase().KeyDeleteAsync(key);
}
