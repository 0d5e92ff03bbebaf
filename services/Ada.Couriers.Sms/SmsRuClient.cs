using System.Globalization;
using System.Text.Json;

namespace Ada.Couriers.Sms;

/// <summary>The status SMS.ru reports for one sent text (<c>/sms/status</c>).</summary>
public sealed record SmsRuStatus(int Code, string? Text)
{
    /// <summary>100 queued, 101 handed to the operator, 102 on its way.</summary>
    public bool IsPending => Code is 100 or 101 or 102;

    /// <summary>103 delivered, 110 read (Viber).</summary>
    public bool IsDelivered => Code is 103 or 110;

    /// <summary>-1: SMS.ru does not know the id (yet).</summary>
    public bool IsUnknown => Code == -1;

    /// <summary>The error class a failed delivery is counted under in the history.</summary>
    public string FailureClass => Code switch
    {
        104 => "expired",
        105 => "deleted_by_operator",
        106 => "phone_failure",
        107 => "undelivered",
        108 => "rejected",
        150 => "no_route",
        _ => $"provider_{Code}",
    };
}

/// <summary>
/// SMS.ru's HTTP API: <c>POST /sms/send</c> (form <c>api_id, to=7999…,7925…, msg, json=1, from</c>; up to 100
/// numbers) answers <c>{"status":"OK","status_code":100,"sms":{"7999…":{"status","status_code","sms_id"|"status_text"}}}</c>.
/// A top-level OK can hide numbers that failed, so every number is judged by its own entry.
/// <c>POST /sms/status</c> (<c>sms_id=a,b</c>) answers the same shape keyed by sms_id.
/// </summary>
public sealed class SmsRuClient(HttpClient http, SmsOptions options, ILogger<SmsRuClient> logger) : ISmsGateway
{
    public const int MaxIdsPerStatusRequest = 100;

    public string Name => SmsOptions.SmsRu;

    public int MaxRecipientsPerRequest => 100;

    public bool PollsDeliveryStatus => true;

    /// <remarks>
    /// SMS.ru's <c>/sms/send</c> has no idempotency key, so <paramref name="requestKey"/> is not sent: a request whose
    /// answer is lost (timeout, network) and that is retried can text its numbers twice.
    /// </remarks>
    public async Task<IReadOnlyList<SmsSendResult>> SendAsync(string text, IReadOnlyList<string> phoneNumbers, string requestKey,
        CancellationToken cancellationToken)
    {
        var numbers = phoneNumbers.Select(Ada.Core.Couriers.SmsProviderIds.Digits).ToList();
        var form = new List<KeyValuePair<string, string>>
        {
            new("api_id", options.ApiId ?? ""),
            new("to", string.Join(',', numbers)),
            new("msg", text),
            new("json", "1"),
        };
        if (!string.IsNullOrWhiteSpace(options.Sender))
        {
            form.Add(new("from", options.Sender));
        }
        var (answer, failure) = await PostAsync("sms/send", form, cancellationToken);
        if (failure is not null)
        {
            return [.. phoneNumbers.Select(_ => failure)];
        }
        using (answer)
        {
            var root = answer!.RootElement;
            if (!IsOk(root))
            {
                var requestFailure = RequestError(Code(root), Text(root));
                return [.. phoneNumbers.Select(_ => requestFailure)];
            }
            var perNumber = root.TryGetProperty("sms", out var sms) && sms.ValueKind == JsonValueKind.Object
                ? sms.EnumerateObject().ToDictionary(p => Ada.Core.Couriers.SmsProviderIds.Digits(p.Name), p => p.Value.Clone())
                : [];
            return [.. numbers.Select(number => perNumber.TryGetValue(number, out var entry)
                ? NumberResult(entry)
                : new SmsSendResult.Transient("bad_response", "SMS.ru's answer did not mention this number"))];
        }
    }

    /// <summary>Statuses of up to <see cref="MaxIdsPerStatusRequest"/> sent texts; ids SMS.ru did not mention are left out. Null when SMS.ru could not be asked.</summary>
    public async Task<IReadOnlyDictionary<string, SmsRuStatus>?> StatusAsync(IReadOnlyList<string> smsIds, CancellationToken cancellationToken)
    {
        var (answer, failure) = await PostAsync("sms/status",
            [new("api_id", options.ApiId ?? ""), new("sms_id", string.Join(',', smsIds)), new("json", "1")], cancellationToken);
        if (failure is not null)
        {
            logger.LogWarning("SMS.ru status look-up failed: {Reason}", ((SmsSendResult.Transient)failure).Reason);
            return null;
        }
        using (answer)
        {
            var root = answer!.RootElement;
            if (!IsOk(root))
            {
                logger.LogWarning("SMS.ru status look-up refused: {Code} {Text}", Code(root), Text(root));
                return null;
            }
            var statuses = new Dictionary<string, SmsRuStatus>();
            if (root.TryGetProperty("sms", out var sms) && sms.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in sms.EnumerateObject())
                {
                    statuses[entry.Name] = new SmsRuStatus(Code(entry.Value), Text(entry.Value));
                }
            }
            return statuses;
        }
    }

    /// <summary>The answer, or the transient result every number gets when SMS.ru could not be asked.</summary>
    private async Task<(JsonDocument? Answer, SmsSendResult? Failure)> PostAsync(string path,
        IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new FormUrlEncodedContent(form);
            using var response = await http.PostAsync(path, content, cancellationToken);
            var status = (int)response.StatusCode;
            if (status >= 500 || status == 429)
            {
                return (null, new SmsSendResult.Transient(status == 429 ? "throttled" : $"provider_{status}", $"HTTP {status}",
                    Throttled: status == 429));
            }
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            try
            {
                var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    return (document, null);
                }
                document.Dispose();
            }
            catch (JsonException)
            {
            }
            return (null, new SmsSendResult.Transient("bad_response",
                $"HTTP {status}, not JSON: {(body.Length > 100 ? body[..100] : body)}"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (null, new SmsSendResult.Transient("network", e is TaskCanceledException ? "SMS.ru did not answer in time" : e.Message));
        }
    }

    /// <summary>One number's entry of a send answer.</summary>
    internal static SmsSendResult NumberResult(JsonElement entry)
    {
        var code = Code(entry);
        if (IsOk(entry))
        {
            return new SmsSendResult.Accepted(entry.TryGetProperty("sms_id", out var id) ? Scalar(id) : null);
        }
        var reason = $"{code}: {Text(entry) ?? "refused"}";
        return code switch
        {
            202 => new SmsSendResult.Rejected("bad_address", reason),
            207 or 150 => new SmsSendResult.Rejected("no_route", reason),
            209 => new SmsSendResult.Rejected("stop_list", reason),
            // The number's owner complained of spam: SMS.ru will not text it again.
            215 => new SmsSendResult.Rejected("stop_list", reason, Deactivate: true),
            214 => new SmsSendResult.Rejected("abroad", reason),
            205 => new SmsSendResult.Rejected("too_long", reason),
            216 or 217 => new SmsSendResult.Rejected("rejected", reason),
            232 or 233 => new SmsSendResult.Rejected("number_limit", reason),
            230 => new SmsSendResult.Transient("number_limit", reason, TimeSpan.FromHours(1), Throttled: true),
            231 => new SmsSendResult.Transient("number_limit", reason, TimeSpan.FromMinutes(1), Throttled: true),
            _ => RequestError(code, Text(entry)),
        };
    }

    /// <summary>An error that is not about one number: the account, SMS.ru itself, or a limit.</summary>
    internal static SmsSendResult RequestError(int code, string? text)
    {
        var reason = $"{code}: {text ?? "SMS.ru refused the request"}";
        return code switch
        {
            // Credentials, sender name, funds: the operator must act; the texts wait for them.
            200 or 300 or 301 or 302 => new SmsSendResult.Transient("unauthorized", reason, TimeSpan.FromMinutes(1)),
            201 => new SmsSendResult.Transient("no_funds", reason, TimeSpan.FromMinutes(5)),
            204 or 221 => new SmsSendResult.Transient("sender_not_approved", reason, TimeSpan.FromMinutes(5)),
            206 => new SmsSendResult.Transient("daily_limit", reason, TimeSpan.FromMinutes(10), Throttled: true),
            220 or 500 => new SmsSendResult.Transient($"provider_{code}", reason),
            >= 500 and < 600 => new SmsSendResult.Transient("throttled", reason, TimeSpan.FromMinutes(1), Throttled: true),
            202 => new SmsSendResult.Rejected("bad_address", reason),
            203 or 205 or 216 or 217 => new SmsSendResult.Rejected("rejected", reason),
            _ => new SmsSendResult.Transient($"provider_{code}", reason),
        };
    }

    private static bool IsOk(JsonElement element) =>
        element.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String &&
        string.Equals(status.GetString(), "OK", StringComparison.OrdinalIgnoreCase);

    private static int Code(JsonElement element) =>
        element.TryGetProperty("status_code", out var code) &&
        int.TryParse(Scalar(code), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static string? Text(JsonElement element) =>
        element.TryGetProperty("status_text", out var text) ? Scalar(text) : null;

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };
}
