using Microsoft.AspNetCore.Http.HttpResults;
using static Ada.Sandbox.ControlProblems;

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

        return ControlNames.Put<SmsNumberState>("state", request.State, state => sms.SetNumberState(e164, state));
    }

    /// <summary>A fault of the Android gateway's send routes (local and cloud); SMS.ru is not affected.</summary>
    private static Results<NoContent, ProblemHttpResult> SetGatewayFault(SmsGatewayFaultRequest request, SmsState sms) =>
        sms.GatewayFault.Set(request.Mode, request.ForSeconds, request.Count);

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
            return Conflict(
                $"No webhook is registered for {SmsWebhookEvents.Received} and {SmsOptions.Section}:WebhookUrl is not set.");
        }

        var attempts = await device.ReceiveAsync(from, request.Text, request.SimNumber, cancellationToken);
        return TypedResults.Ok(ToResult(attempts[0], attempts));
    }

    private static async Task<Results<Ok<SmsDeliveryResult>, ProblemHttpResult>> ReplayAsync(
        string envelopeId, SmsWebhooks webhooks, CancellationToken cancellationToken)
    {
        var attempt = await webhooks.ReplayAsync(envelopeId, cancellationToken);
        return attempt is null
            ? NotFound($"No webhook delivery with id '{envelopeId}' is kept.")
            : TypedResults.Ok(ToResult(attempt, [attempt]));
    }

    private static SmsDeliveryResult ToResult(SmsWebhookAttempt first, IReadOnlyList<SmsWebhookAttempt> attempts) =>
        new(first.Status, first.Body, first.Error, first.EnvelopeId, first.Url, attempts);
}
