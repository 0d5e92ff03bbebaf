using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Sandbox.Sms;

public sealed record SmsNumberStateRequest(string? State);

/// <summary>ForSeconds and Count are optional; with neither the fault lasts until it is replaced.</summary>
public sealed record SmsGatewayFaultRequest(string? Mode, int? ForSeconds, int? Count);

/// <summary>A text written to the gateway's phone. SimNumber defaults to 1.</summary>
public sealed record SmsInboundRequest(string? From, string? Text, int? SimNumber);

/// <summary>
/// How the first receiver answered (Status null and Error set when it did not answer); Attempts has every receiver
/// when more than one webhook is registered for the event.
/// </summary>
public sealed record SmsDeliveryResult(int? Status, string? Body, string? Error, string EnvelopeId, string Url, IReadOnlyList<SmsWebhookAttempt> Attempts);

public sealed record SmsWebhookLogView(int Total, IReadOnlyList<SmsWebhookAttempt> Attempts);

/// <summary>
/// How tests reshape the sandboxed SMS gateways and look behind them: what a number does with texts, texts written
/// to the gateway's phone, the log of webhook deliveries and replays of them.
/// </summary>
public static class SmsControlApi
{
    private static readonly Dictionary<string, SmsNumberState> NumberStates = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ok"] = SmsNumberState.Ok,
        ["fail_send"] = SmsNumberState.FailSend,
        ["fail_delivery"] = SmsNumberState.FailDelivery,
    };

    private static readonly Dictionary<string, SmsGatewayFaultMode> GatewayFaultModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["none"] = SmsGatewayFaultMode.None,
        ["accept_then_timeout"] = SmsGatewayFaultMode.AcceptThenTimeout,
        ["accept_then_error502"] = SmsGatewayFaultMode.AcceptThenError502,
    };

    public static RouteGroupBuilder MapSmsControlApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sandbox/sms").WithTags("Sandbox: SMS");

        group.MapPut("/numbers/{phone}", SetNumberState);
        group.MapPut("/fault", SetGatewayFault);
        group.MapPost("/inbound", ReceiveAsync);
        group.MapGet("/webhook-log", (SmsWebhooks webhooks, string? @event) =>
        {
            var attempts = webhooks.Log().Where(a => @event is null || a.Event == @event).ToList();
            return TypedResults.Ok(new SmsWebhookLogView(attempts.Count, attempts));
        });
        group.MapDelete("/webhook-log", (SmsWebhooks webhooks) =>
        {
            webhooks.ClearLog();
            return TypedResults.NoContent();
        });
        group.MapPost("/replay/{envelopeId}", ReplayAsync);

        return group;
    }

    private static Results<NoContent, ProblemHttpResult> SetNumberState(string phone, SmsNumberStateRequest request, SmsState sms)
    {
        if (!PhoneNumber.TryNormalize(phone, out var e164))
        {
            return Invalid($"phone must be a phone number in E.164, e.g. +79990001234; got '{phone}'.");
        }

        if (request.State is null || !NumberStates.TryGetValue(request.State, out var state))
        {
            return Invalid($"state must be one of {string.Join(", ", NumberStates.Keys)}; got '{request.State}'.");
        }

        sms.SetNumberState(e164, state);
        return TypedResults.NoContent();
    }

    /// <summary>A fault of the Android gateway's send routes (local and cloud); SMS.ru is not affected.</summary>
    private static Results<NoContent, ProblemHttpResult> SetGatewayFault(SmsGatewayFaultRequest request, SmsState sms) =>
        sms.GatewayFault.Set(GatewayFaultModes, request.Mode, request.ForSeconds, request.Count);

    private static async Task<Results<Ok<SmsDeliveryResult>, ProblemHttpResult>> ReceiveAsync(
        SmsInboundRequest request, SmsDevice device, SmsWebhooks webhooks, CancellationToken cancellationToken)
    {
        if (!PhoneNumber.TryNormalize(request.From, out var from))
        {
            return Invalid($"from must be a phone number in E.164, e.g. +79990001234; got '{request.From}'.");
        }

        if (string.IsNullOrEmpty(request.Text))
        {
            return Invalid("text must not be empty.");
        }

        if (request.SimNumber < 1)
        {
            return Invalid($"simNumber must be 1 or more when given; got {request.SimNumber}.");
        }

        if (webhooks.Targets(SmsWebhookEvents.Received).Count == 0)
        {
            return TypedResults.Problem(
                detail: $"No webhook is registered for {SmsWebhookEvents.Received} and {SmsOptions.Section}:WebhookUrl is not set.",
                statusCode: StatusCodes.Status409Conflict);
        }

        var attempts = await device.ReceiveAsync(from, request.Text, request.SimNumber, cancellationToken);
        return TypedResults.Ok(ToResult(attempts[0], attempts));
    }

    private static async Task<Results<Ok<SmsDeliveryResult>, ProblemHttpResult>> ReplayAsync(
        string envelopeId, SmsWebhooks webhooks, CancellationToken cancellationToken)
    {
        var attempt = await webhooks.ReplayAsync(envelopeId, cancellationToken);
        return attempt is null
            ? TypedResults.Problem(detail: $"No webhook delivery with id '{envelopeId}' is kept.", statusCode: StatusCodes.Status404NotFound)
            : TypedResults.Ok(ToResult(attempt, [attempt]));
    }

    private static SmsDeliveryResult ToResult(SmsWebhookAttempt first, IReadOnlyList<SmsWebhookAttempt> attempts) =>
        new(first.Status, first.Body, first.Error, first.EnvelopeId, first.Url, attempts);

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest);
}
