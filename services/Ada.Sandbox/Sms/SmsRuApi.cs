using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox.Sms;

/// <summary>One number's (send) or one sms_id's (status) result; the fields each answer carries differ, nulls are left out.</summary>
public sealed record SmsRuNumberResult(string Status, int StatusCode, string? SmsId = null, decimal? Cost = null, string? StatusText = null);

/// <summary>
/// The envelope of every SMS.ru JSON answer. Status "OK" only says the request as a whole was taken (api_id, sender…):
/// each number in Sms has its own status, and an ERROR there does not turn the top level into ERROR.
/// </summary>
public sealed record SmsRuResponse(
    string Status,
    int StatusCode,
    string? StatusText = null,
    IReadOnlyDictionary<string, SmsRuNumberResult>? Sms = null,
    decimal? Balance = null);

/// <summary>
/// SMS.ru's HTTP API (sms.ru/api/send, /api/status, /api/mybalance): GET or POST, parameters in the query string or
/// a form. JSON with json=1; otherwise the plain-text lines the API answered before JSON (status code first).
/// </summary>
public static class SmsRuApi
{
    public const int Ok = 100;
    public const int Delivered = 103;
    public const int LifetimeExpired = 104;
    public const int NotFound = -1;
    public const int WrongApiId = 200;
    public const int BadRecipient = 202;
    public const int NoText = 203;
    public const int CannotSendToNumber = 207;

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>SMS.ru's texts for the codes the sandbox answers (sms.ru/api/send and /api/status).</summary>
    public static readonly IReadOnlyDictionary<int, string> Texts = new Dictionary<int, string>
    {
        [NotFound] = "Сообщение не найдено",
        [Ok] = "Сообщение находится в нашей очереди",
        [Delivered] = "Сообщение доставлено",
        [LifetimeExpired] = "Не может быть доставлено: время жизни истекло",
        [WrongApiId] = "Неправильный api_id",
        [BadRecipient] = "Неправильно указан номер телефона получателя, либо на него нет маршрута",
        [NoText] = "Нет текста сообщения",
        [CannotSendToNumber] =
            "На этот номер (или один из номеров) нельзя отправлять сообщения, либо указано более 100 номеров в списке получателей",
    };

    public static RouteGroupBuilder MapSmsRuApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("SMS.ru");
        group.AddEndpointFilter((context, next) =>
        {
            context.HttpContext.RequestServices.GetRequiredService<SmsState>().Counters.CountRequest();
            return next(context);
        });

        string[] methods = [HttpMethods.Get, HttpMethods.Post];
        group.MapMethods("/sms/send", methods, SendAsync);
        group.MapMethods("/sms/status", methods, StatusAsync);
        group.MapMethods("/my/balance", methods, BalanceAsync);

        return group;
    }

    private static async Task<Results<JsonHttpResult<SmsRuResponse>, ContentHttpResult>> SendAsync(
        HttpRequest request, SmsState state, SmsDevice device, IOptions<SmsRuOptions> options, TimeProvider time)
    {
        var parameters = await ReadParametersAsync(request);
        var json = IsOne(parameters, "json");
        var settings = options.Value;
        if (!HasApiId(parameters, settings))
        {
            return Refuse(json, WrongApiId);
        }

        // One text to comma-separated numbers (to + msg), or a text per number (to[79255070602]=…).
        var targets = new List<(string Number, string Text)>();
        if (parameters.TryGetValue("to", out var to) && to.Length > 0)
        {
            if (!parameters.TryGetValue("msg", out var text) || string.IsNullOrWhiteSpace(text))
            {
                return Refuse(json, NoText);
            }

            targets.AddRange(to.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(number => (number, text)));
        }

        foreach (var (name, text) in parameters)
        {
            if (name.StartsWith("to[", StringComparison.Ordinal) && name.EndsWith(']'))
            {
                targets.Add((name[3..^1], text));
            }
        }

        if (targets.Count == 0)
        {
            return Refuse(json, BadRecipient);
        }

        if (targets.Exists(target => string.IsNullOrWhiteSpace(target.Text)))
        {
            return Refuse(json, NoText);
        }

        // test=1 goes through every check and answers as usual, but nothing reaches a phone.
        var test = IsOne(parameters, "test");
        var results = new Dictionary<string, SmsRuNumberResult>(StringComparer.Ordinal);
        foreach (var (number, text) in targets)
        {
            if (!PhoneNumber.TryNormalize(number, out var e164))
            {
                results[number] = Failure(BadRecipient);
                continue;
            }

            var numberState = state.GetNumberState(e164);
            if (numberState == SmsNumberState.FailSend)
            {
                results[e164[1..]] = Failure(CannotSendToNumber);
                state.Counters.CountFailed();
                continue;
            }

            var smsId = state.NextSmsRuId();
            state.Add(new SmsRuMessage(smsId, e164, numberState != SmsNumberState.FailDelivery, time.GetUtcNow()));
            if (!test)
            {
                state.Deliver(e164, text, smsId);
                if (numberState == SmsNumberState.FailDelivery)
                {
                    device.AfterDeliveryDelay(state.Counters.CountFailed);
                }
            }

            results[e164[1..]] = new SmsRuNumberResult("OK", Ok, SmsId: smsId);
        }

        var response = new SmsRuResponse("OK", Ok, Sms: results, Balance: settings.Balance);
        return Answer(json, response, () => Lines(
            [Ok.ToString(CultureInfo.InvariantCulture),
             .. results.Values.Select(r => r.SmsId ?? r.StatusCode.ToString(CultureInfo.InvariantCulture)),
             $"balance={settings.Balance.ToString(CultureInfo.InvariantCulture)}"]));
    }

    /// <summary>A text is queued (100) until the delivery delay has passed, then delivered (103) or expired (104).</summary>
    private static async Task<Results<JsonHttpResult<SmsRuResponse>, ContentHttpResult>> StatusAsync(
        HttpRequest request, SmsState state, SmsDevice device, IOptions<SmsRuOptions> options, TimeProvider time)
    {
        var parameters = await ReadParametersAsync(request);
        var json = IsOne(parameters, "json");
        if (!HasApiId(parameters, options.Value))
        {
            return Refuse(json, WrongApiId);
        }

        var results = new Dictionary<string, SmsRuNumberResult>(StringComparer.Ordinal);
        var ids = parameters.GetValueOrDefault("sms_id", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var smsId in ids)
        {
            if (state.FindSmsRuMessage(smsId) is not { } message)
            {
                results[smsId] = Failure(NotFound);
                continue;
            }

            var code = time.GetUtcNow() < message.SentAt + device.DeliveryDelay ? Ok
                : message.WillBeDelivered ? Delivered
                : LifetimeExpired;
            results[smsId] = new SmsRuNumberResult("OK", code, Cost: 0.00m, StatusText: Texts[code]);
        }

        return Answer(json, new SmsRuResponse("OK", Ok, Sms: results), () => Lines(
            [Ok.ToString(CultureInfo.InvariantCulture), .. results.Values.Select(r => r.StatusCode.ToString(CultureInfo.InvariantCulture))]));
    }

    private static async Task<Results<JsonHttpResult<SmsRuResponse>, ContentHttpResult>> BalanceAsync(
        HttpRequest request, IOptions<SmsRuOptions> options)
    {
        var parameters = await ReadParametersAsync(request);
        var json = IsOne(parameters, "json");
        var settings = options.Value;
        if (!HasApiId(parameters, settings))
        {
            return Refuse(json, WrongApiId);
        }

        return Answer(json, new SmsRuResponse("OK", Ok, Balance: settings.Balance), () => Lines(
            [Ok.ToString(CultureInfo.InvariantCulture), settings.Balance.ToString(CultureInfo.InvariantCulture)]));
    }

    private static bool HasApiId(Dictionary<string, string> parameters, SmsRuOptions settings) =>
        parameters.TryGetValue("api_id", out var apiId)
        && apiId.Length > 0
        && (string.IsNullOrEmpty(settings.ApiId) || string.Equals(apiId, settings.ApiId, StringComparison.Ordinal));

    private static SmsRuNumberResult Failure(int code) => new("ERROR", code, StatusText: Texts[code]);

    /// <summary>The whole request refused: status ERROR and the code, or just the code as plain text.</summary>
    private static Results<JsonHttpResult<SmsRuResponse>, ContentHttpResult> Refuse(bool json, int code) =>
        Answer(json, new SmsRuResponse("ERROR", code, Texts[code]), () => code.ToString(CultureInfo.InvariantCulture));

    /// <summary>SMS.ru answers 200 whatever happened; the codes are in the body.</summary>
    private static Results<JsonHttpResult<SmsRuResponse>, ContentHttpResult> Answer(bool json, SmsRuResponse response, Func<string> plain) =>
        json ? TypedResults.Json(response, Json) : TypedResults.Text(plain(), "text/plain", Encoding.UTF8);

    private static string Lines(IEnumerable<string> lines) => string.Join('\n', lines);

    private static bool IsOne(Dictionary<string, string> parameters, string name) =>
        parameters.TryGetValue(name, out var value) && value == "1";

    private static async Task<Dictionary<string, string>> ReadParametersAsync(HttpRequest request)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Query)
        {
            parameters[name] = value.ToString();
        }

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            foreach (var (name, value) in form)
            {
                parameters[name] = value.ToString();
            }
        }

        return parameters;
    }
}
