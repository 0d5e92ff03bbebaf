using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ada.Api.Http;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Api.Sms;

/// <summary>
/// What both gateway webhooks check before acting: the signature (<c>X-Signature</c> = hex HMAC-SHA256 with
/// the signing key over the raw body bytes followed by the <c>X-Timestamp</c> string, compared in constant
/// time), the timestamp (at most <see cref="MaxSkew"/> from the API's clock), the envelope's shape; and,
/// once verified, the envelope <c>id</c> that <see cref="Ada.Core.Redis.WebhookOnce"/> acts on once (the gateway retries until it gets a 2xx).
/// </summary>
public sealed partial class SmsWebhook(IOptions<SmsOptions> options, TimeProvider time)
{
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(5);

    /// <summary>Longer than the gateway retries (14 doublings from 10 s: about two days).</summary>
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromDays(3);

    public const string NotConfigured =
        "The SMS webhooks are not configured: set Sms__WebhookSigningKey to the gateway's signing key (Settings → Webhooks → Signing Key).";

    /// <summary>The verified envelope, or the problem to answer (403 not configured, 401 unsigned or stale, 400 malformed).</summary>
    public async Task<(SmsWebhookEnvelope? Envelope, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request)
    {
        var key = options.Value.WebhookSigningKey;
        if (string.IsNullOrEmpty(key))
        {
            return (null, Problems.Forbidden(NotConfigured));
        }
        var body = await ReadBodyAsync(request);
        var timestampText = request.Headers["X-Timestamp"].ToString();
        if (!Timestamp().IsMatch(timestampText))
        {
            return (null, Unauthorized("X-Timestamp is missing or not Unix seconds; the gateway signs every webhook with X-Signature and X-Timestamp."));
        }
        if (!SignatureMatches(key, body, timestampText, request.Headers["X-Signature"].ToString()))
        {
            return (null, Unauthorized("X-Signature does not match the body and X-Timestamp: check that Sms__WebhookSigningKey is the gateway's signing key."));
        }
        var skew = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(long.Parse(timestampText, CultureInfo.InvariantCulture));
        if (skew.Duration() > MaxSkew)
        {
            return (null, Unauthorized($"X-Timestamp is {(long)skew.TotalSeconds} s away from the API's clock; more than " +
                $"{(long)MaxSkew.TotalSeconds} s is refused (replay protection). Check the phone's clock."));
        }
        SmsWebhookEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<SmsWebhookEnvelope>(body, AdaJson.Options);
        }
        catch (JsonException e)
        {
            return (null, Problems.BadRequest(JsonErrors.Describe(e, typeof(SmsWebhookEnvelope))));
        }
        catch (InvalidOperationException e)
        {
            return (null, Problems.BadRequest($"The body is not valid JSON text: {e.Message}"));
        }
        if (envelope is null)
        {
            return (null, Problems.BadRequest("The body is null; expected a gateway webhook object."));
        }
        if (envelope.Id is null || !EnvelopeId().IsMatch(envelope.Id))
        {
            return (null, Problems.BadRequest("'id' must be the webhook's id (1-128 letters, digits, '_' or '-')" +
                (envelope.Id is null ? "." : $"; got {Validation.Echo(envelope.Id)}.")));
        }
        return (envelope, null);
    }

    private static bool SignatureMatches(string key, byte[] body, string timestamp, string signatureHex)
    {
        if (!Signature().IsMatch(signatureHex))
        {
            return false;
        }
        var stamp = Encoding.ASCII.GetBytes(timestamp);
        var message = new byte[body.Length + stamp.Length];
        body.CopyTo(message, 0);
        stamp.CopyTo(message, body.Length);
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), message);
        return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(signatureHex));
    }

    /// <summary>
    /// The raw body, exactly as signed. Its size is bounded by the endpoints' <see cref="BodyLimits.Webhook"/>: a larger
    /// body is answered 413 before it is read, or when the read passes the limit.
    /// </summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        return buffer.ToArray();
    }

    private static ProblemHttpResult Unauthorized(string detail) => Problems.Problem(StatusCodes.Status401Unauthorized, detail);

    [GeneratedRegex("^[0-9]{1,12}$")]
    private static partial Regex Timestamp();

    [GeneratedRegex("^[0-9A-Fa-f]{64}$")]
    private static partial Regex Signature();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex EnvelopeId();
}
