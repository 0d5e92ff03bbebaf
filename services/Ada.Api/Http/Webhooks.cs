using System.Security.Cryptography;
using System.Text;

namespace Ada.Api.Http;

/// <summary>
/// What the providers' webhooks (Telegram, VK, the SMS gateway) share: the provider has no bearer token and proves
/// itself with a secret it was given instead; its body is as small as a webhook's.
/// </summary>
public static class Webhooks
{
    /// <summary>Endpoints a provider calls: anonymous to the bearer scheme, and documented without it.</summary>
    public static RouteGroupBuilder MapWebhookGroup(this IEndpointRouteBuilder routes, string prefix, string tag)
    {
        var group = routes.MapGroup(prefix).WithTags(tag).AllowAnonymous().WithBodyLimit(BodyLimits.Webhook);
        group.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Security = [];
            return Task.CompletedTask;
        });
        return group;
    }

    /// <summary>Compared as SHA-256 digests in constant time: neither the content nor the length leaks through timing.</summary>
    public static bool SameSecret(string? given, string expected) =>
        !string.IsNullOrEmpty(given) && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
