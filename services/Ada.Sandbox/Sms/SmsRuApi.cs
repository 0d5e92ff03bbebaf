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
/// SMS.ru's HTTP API as Ada uses it (sms.ru/api/send, /api/status): a form POST with json=1, one text to
/// comma-separated numbers. The rest of the API (plain-text answers without json=1, a text per number, test=1,
/// /my/balance) is not imitated: Ada does not use it (docs/architecture.md, "The sandbox").
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
            context.HttpContext.RequestServices.GetRequiredService<SmsState>().Counters.Requests.Add();
            return next(context);
        });

        group.MapPost("/sms/send", SendAsync);
        group.MapPost("/sms/status", StatusAsync);

        return group;
    }

    private static async Task<JsonHttpResult<SmsRuResponse>> SendAsync(
        HttpRequest request, SmsState state, SmsDevice device, IOptions<SmsRuOptions> options, TimeProvider time)
    {
        var parameters = await ReadParametersAsync(request);
        var settings = options.Value;
        if (!HasApiId(parameters, settings))
        {
            return Refuse(WrongApiId);
        }

        var numbers = parameters.GetValueOrDefault("to", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (numbers.Length == 0)
        {
            return Refuse(BadRecipient);
        }

        if (!parameters.TryGetValue("msg", out var text) || string.IsNullOrWhiteSpace(text))
        {
            return Refuse(NoText);
        }

        var results = new Dictionary<string, SmsRuNumberResult>(StringComparer.Ordinal);
        foreach (var number in numbers)
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
                state.Counters.Failed.Add();
                continue;
            }

            var smsId = state.NextSmsRuId();
            state.Add(new SmsRuMessage(smsId, e164, numberState != SmsNumberState.FailDelivery, time.GetUtcNow()));
            state.Deliver(e164, text, smsId);
            if (numberState == SmsNumberState.FailDelivery)
            {
                device.AfterDeliveryDelay(state.Counters.Failed.Add);
            }

            results[e164[1..]] = new SmsRuNumberResult("OK", Ok, SmsId: smsId);
        }

        return Answer(new SmsRuResponse("OK", Ok, Sms: results, Balance: settings.Balance));
    }

    /// <summary>A text is queued (100) until the delivery delay has passed, then delivered (103) or expired (104).</summary>
    private static async Task<JsonHttpResult<SmsRuResponse>> StatusAsync(
        HttpRequest request, SmsState state, SmsDevice device, IOptions<SmsRuOptions> options, TimeProvider time)
    {
        var parameters = await ReadParametersAsync(request);
        if (!HasApiId(parameters, options.Value))
        {
            return Refuse(WrongApiId);
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

        return Answer(new SmsRuResponse("OK", Ok, Sms: results));
    }

    private static bool HasApiId(Dictionary<string, string> parameters, SmsRuOptions settings) =>
        parameters.TryGetValue("api_id", out var apiId)
        && apiId.Length > 0
        && (string.IsNullOrEmpty(settings.ApiId) || string.Equals(apiId, settings.ApiId, StringComparison.Ordinal));

    private static SmsRuNumberResult Failure(int code) => new("ERROR", code, StatusText: Texts[code]);

    /// <summary>The whole request refused: status ERROR and the code.</summary>
    private static JsonHttpResult<SmsRuResponse> Refuse(int code) => Answer(new SmsRuResponse("ERROR", code, Texts[code]));

    /// <summary>SMS.ru answers 200 whatever happened; the codes are in the body.</summary>
    private static JsonHttpResult<SmsRuResponse> Answer(SmsRuResponse response) => TypedResults.Json(response, Json);

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
