using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox.Sms;

/// <summary>
/// SMS Gateway for Android (capcom6/android-sms-gateway) over HTTP, both ways a client reaches it: the app's local
/// server (POST /message or /messages, /webhooks; Ktor, Basic auth) and the cloud/private server
/// (/3rdparty/v1/messages, /3rdparty/v1/webhooks; Go, Basic auth). Validation and error texts follow each side's
/// source; errors are {"message": "…"} on both. A send with the id of a message the gateway already has is answered
/// 409 and not sent again, on both sides.
/// </summary>
public static class SmsGatewayApi
{
    public const int MaxRecipients = 100;

    /// <summary>The local server's Basic realm (WebService.kt).</summary>
    public const string Realm = "Access to SMS Gateway";

    /// <summary>Like Gson and Go's encoding/json, '+' and non-ASCII text are written as they are, not \u-escaped.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The cloud's 409 for a reused id: messages.ErrMessageAlreadyExists ("duplicate id") as fiber's error text.</summary>
    public const string CloudDuplicateId = "duplicate id";

    /// <summary>
    /// The app's 409 for a reused id (ConflictException, thrown by MessagesService.enqueueMessage since the app's local
    /// server gained message content access); older apps ignored the second message and answered 202.
    /// </summary>
    public const string LocalDuplicateId = "Message with the same ID already exists";

    private const string LocalRequestClass = "me.capcom.smsgateway.modules.localserver.domain.PostMessageRequest";
    private const string LocalWebhookClass = "me.capcom.smsgateway.modules.webhooks.domain.WebHookDTO";

    public static RouteGroupBuilder MapSmsGatewayLocalApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("SMS Gateway for Android: local server");
        group.AddEndpointFilter((context, next) => AuthorizeAsync(context, next, GatewaySource.Local));

        MapMessageRoutes(group, GatewaySource.Local);

        foreach (var path in new[] { "/webhook", "/webhooks" })
        {
            group.MapGet(path, (SmsWebhooks webhooks) =>
                TypedResults.Json(webhooks.List(GatewaySource.Local).Select(ToLocalView).ToList(), Json));
            group.MapPost(path, RegisterLocalWebhookAsync);
            group.MapDelete(path + "/{id}", (string id, SmsWebhooks webhooks) =>
            {
                webhooks.Delete(GatewaySource.Local, id);
                return TypedResults.NoContent();
            });
        }

        return group;
    }

    public static RouteGroupBuilder MapSmsGatewayCloudApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/3rdparty/v1").WithTags("SMS Gateway for Android: cloud server");
        group.AddEndpointFilter((context, next) => AuthorizeAsync(context, next, GatewaySource.Cloud));

        MapMessageRoutes(group, GatewaySource.Cloud);

        group.MapGet("/webhooks", (SmsWebhooks webhooks) =>
            TypedResults.Json(webhooks.List(GatewaySource.Cloud).Select(ToCloudView).ToList(), Json));
        group.MapPost("/webhooks", RegisterCloudWebhookAsync);
        group.MapDelete("/webhooks/{id}", (string id, SmsWebhooks webhooks) =>
        {
            webhooks.Delete(GatewaySource.Cloud, id);
            return TypedResults.NoContent();
        });

        return group;
    }

    /// <summary>
    /// Sending a message and reading its state, under <c>/messages</c> and the singular <c>/message</c> alike: the app's
    /// old name of each route, the cloud server's deprecated alias.
    /// </summary>
    private static void MapMessageRoutes(RouteGroupBuilder group, GatewaySource source)
    {
        foreach (var path in new[] { "/message", "/messages" })
        {
            group.MapPost(path, (HttpContext http, SmsDevice device, SmsState state, IOptions<SmsOptions> options, TimeProvider time,
                IHostApplicationLifetime lifetime) => SendAsync(http, source, device, state, options.Value, time, lifetime));
            group.MapGet(path + "/{id}", (string id, SmsState state, SmsDevice device, IOptions<SmsOptions> options) =>
                GetMessage(id, source, state, device, options.Value));
        }
    }

    /// <summary>Counts the request, then lets it through only with the configured Basic credentials.</summary>
    private static async ValueTask<object?> AuthorizeAsync(
        EndpointFilterInvocationContext context, EndpointFilterDelegate next, GatewaySource source)
    {
        var http = context.HttpContext;
        http.RequestServices.GetRequiredService<SmsState>().Counters.Requests.Add();
        var settings = http.RequestServices.GetRequiredService<IOptions<SmsOptions>>().Value;
        if (IsAuthorized(http.Request.Headers.Authorization.ToString(), settings))
        {
            return await next(context);
        }

        if (source == GatewaySource.Cloud)
        {
            return TypedResults.Json(new GatewayError("Unauthorized"), Json, statusCode: StatusCodes.Status401Unauthorized);
        }

        // Ktor's basic provider answers the challenge with an empty body.
        http.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\", charset=UTF-8";
        return TypedResults.Unauthorized();
    }

    private static bool IsAuthorized(string header, SmsOptions settings)
    {
        const string scheme = "Basic ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string credentials;
        try
        {
            credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header[scheme.Length..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        return string.IsNullOrEmpty(settings.Username)
            || (string.Equals(credentials[..colon], settings.Username, StringComparison.Ordinal)
                && string.Equals(credentials[(colon + 1)..], settings.Password, StringComparison.Ordinal));
    }

    private static async Task<Results<JsonHttpResult<GatewayMessageView>, JsonHttpResult<GatewayError>, ContentHttpResult, EmptyHttpResult>> SendAsync(
        HttpContext http, GatewaySource source, SmsDevice device, SmsState state, SmsOptions settings, TimeProvider time,
        IHostApplicationLifetime lifetime)
    {
        var (request, parseError) = await ReadJsonAsync<GatewaySendRequest>(http.Request);
        if (request is null)
        {
            return Error(source == GatewaySource.Local
                ? $"Failed to convert request body to class {LocalRequestClass}"
                : $"failed to parse body: {parseError}");
        }

        var skipPhoneValidation = bool.TryParse(http.Request.Query["skipPhoneValidation"], out var skip) && skip;
        var invalid = source == GatewaySource.Local
            ? GatewayValidation.CheckLocal(request, settings, time.GetUtcNow())
            : GatewayValidation.CheckCloud(request);
        if (invalid is not null)
        {
            return Error(invalid);
        }

        var validate = !skipPhoneValidation && request.IsEncrypted != true;
        var recipients = new List<GatewayRecipient>();
        foreach (var (raw, row) in request.PhoneNumbers!.Select((raw, index) => (raw ?? "", index + 1)))
        {
            var normalized = PhoneNumber.TryNormalize(raw, out var e164);
            if (!normalized && validate && source == GatewaySource.Cloud)
            {
                return Error($"can't use phone in row {row}: invalid phone number");
            }

            // The cloud answers with the numbers it normalized; the app with the numbers as given.
            var shown = normalized && source == GatewaySource.Cloud ? e164 : raw;
            recipients.Add(new GatewayRecipient(shown, normalized ? e164 : validate ? null : raw.Trim()));
        }

        var text = !string.IsNullOrEmpty(request.Message) ? request.Message : request.TextMessage?.Text ?? "";
        var message = device.Send(
            request.Id,
            source,
            text,
            request.IsEncrypted == true,
            request.SimNumber,
            request.WithDeliveryReport ?? true,
            recipients);
        if (message is null)
        {
            // Nothing is sent again: the message with this id keeps its recipients, states and reports.
            return TypedResults.Json(
                new GatewayError(source == GatewaySource.Cloud ? CloudDuplicateId : LocalDuplicateId), Json, statusCode: StatusCodes.Status409Conflict);
        }

        switch (state.GatewayFault.Take())
        {
            case SmsGatewayFaultMode.AcceptThenTimeout:
                return await ProxyFaults.HangAsync(time, http.RequestAborted, lifetime.ApplicationStopping) is { } page ? page : TypedResults.Empty;
            case SmsGatewayFaultMode.AcceptThenError502:
                return TypedResults.Content(ProxyFaults.ErrorPage("502 Bad Gateway"), "text/html", statusCode: StatusCodes.Status502BadGateway);
        }

        var id = message.Id;
        if (source == GatewaySource.Cloud)
        {
            http.Response.Headers.Location = $"/3rdparty/v1/messages/{Uri.EscapeDataString(id)}";
        }

        var pending = new GatewayMessageView(
            id,
            settings.DeviceId,
            ProcessingState.Pending,
            false,
            request.IsEncrypted == true,
            [.. recipients.Select(r => new GatewayRecipientView(r.PhoneNumber, ProcessingState.Pending, null))],
            new Dictionary<string, string> { [ProcessingState.Pending] = device.DeviceTime(time.GetUtcNow()) });
        return TypedResults.Json(pending, Json, statusCode: StatusCodes.Status202Accepted);
    }

    private static Results<JsonHttpResult<GatewayMessageView>, NotFound, JsonHttpResult<GatewayError>> GetMessage(
        string id, GatewaySource source, SmsState state, SmsDevice device, SmsOptions settings)
    {
        if (state.FindGatewayMessage(source, id) is not { } message)
        {
            // The app answers a bare 404; the cloud its ErrorResponse.
            return source == GatewaySource.Local
                ? TypedResults.NotFound()
                : TypedResults.Json(new GatewayError("message not found"), Json, statusCode: StatusCodes.Status404NotFound);
        }

        var snapshot = message.Snapshot();
        var states = new Dictionary<string, string>();
        foreach (var (name, at) in snapshot.States)
        {
            states[name] = device.DeviceTime(at);
        }

        return TypedResults.Json(
            new GatewayMessageView(
                snapshot.Id,
                settings.DeviceId,
                snapshot.State,
                false,
                snapshot.IsEncrypted,
                [.. snapshot.Recipients.Select(r => new GatewayRecipientView(r.PhoneNumber, r.State, r.Error))],
                states),
            Json);
    }

    private static async Task<Results<JsonHttpResult<LocalWebhookView>, JsonHttpResult<GatewayError>>> RegisterLocalWebhookAsync(
        HttpContext http, SmsWebhooks webhooks, IOptions<SmsOptions> options)
    {
        var (request, _) = await ReadJsonAsync<GatewayWebhookRequest>(http.Request);
        if (request is null)
        {
            return Error($"Failed to convert request body to class {LocalWebhookClass}");
        }

        var settings = options.Value;
        if (request.DeviceId is not null && request.DeviceId != settings.DeviceId)
        {
            return Error("Device ID mismatch");
        }

        // WebHooksService.replace: https, or http to the phone itself.
        if (!HttpUrls.TryParse(request.Url, out var url)
            || (settings.RequireHttpsWebhooks && url.Scheme != Uri.UriSchemeHttps && url.Host != "127.0.0.1"))
        {
            return Error("url must start with https:// or http://127.0.0.1");
        }

        if (request.Event is null || !SmsWebhookEvents.All.Contains(request.Event))
        {
            return Error("Unsupported event");
        }

        var registration = webhooks.Register(GatewaySource.Local, request.Id, request.Url!, request.Event, null);
        return TypedResults.Json(ToLocalView(registration), Json, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<Results<JsonHttpResult<CloudWebhookView>, JsonHttpResult<GatewayError>>> RegisterCloudWebhookAsync(
        HttpContext http, SmsWebhooks webhooks, IOptions<SmsOptions> options)
    {
        var (request, parseError) = await ReadJsonAsync<GatewayWebhookRequest>(http.Request);
        if (request is null)
        {
            return Error($"failed to parse body: {parseError}");
        }

        var invalid = GatewayValidation.CheckCloudWebhook(request, options.Value.RequireHttpsWebhooks);
        if (invalid is not null)
        {
            return Error(invalid);
        }

        var registration = webhooks.Register(GatewaySource.Cloud, request.Id, request.Url!, request.Event!, request.DeviceId);
        return TypedResults.Json(ToCloudView(registration), Json, statusCode: StatusCodes.Status201Created);
    }

    private static LocalWebhookView ToLocalView(SmsWebhookRegistration registration) =>
        new(registration.Id, registration.Url, registration.Event, nameof(GatewaySource.Local));

    private static CloudWebhookView ToCloudView(SmsWebhookRegistration registration) =>
        new(registration.Id, registration.DeviceId, registration.Url, registration.Event);

    private static JsonHttpResult<GatewayError> Error(string message) =>
        TypedResults.Json(new GatewayError(message), Json, statusCode: StatusCodes.Status400BadRequest);

    private static async Task<(T? Value, string? Error)> ReadJsonAsync<T>(HttpRequest request)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, request.HttpContext.RequestAborted);
            return value is null ? (null, "body is null") : (value, null);
        }
        catch (JsonException e)
        {
            return (null, e.Message);
        }
    }
}
