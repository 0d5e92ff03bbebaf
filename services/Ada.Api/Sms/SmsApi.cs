using Ada.Api.Http;
using Ada.Core;
using Ada.Core.Redis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;

namespace Ada.Api.Sms;

/// <summary>
/// The Android SMS gateway's webhooks: <c>POST /v1/sms/inbound</c> (<c>sms:received</c>: teachers sending by
/// SMS) and <c>POST /v1/sms/reports</c> (<c>sms:sent</c> / <c>sms:delivered</c> / <c>sms:failed</c>).
/// Authenticated by the gateway's signature (<see cref="SmsWebhook"/>), not a bearer token. A webhook already
/// handled (same envelope id) is answered 200 and changes nothing; so is an SMS from an unknown number, which
/// the gateway must not retry.
/// </summary>
public static class SmsApi
{
    public static RouteGroupBuilder MapSms(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapWebhookGroup("/v1/sms", "SMS");

        group.MapPost("/inbound", Inbound).WithName("SmsInbound")
            .WithSummary("The gateway's sms:received webhook: teachers send, ask STATUS and CANCEL by SMS (grammar in docs/sms.md)")
            .WithDescription("'ИВТ-21, ИВТ-22: text' → groups or supergroups (ids or names); '@login text' → a person; " +
                "'STATUS <code>' / 'СТАТУС <code>'; 'CANCEL <code>' / 'ОТМЕНА <code>'. The sender is found by phone number; " +
                "an accepted message is queued like POST /v1/queue (origin 'sms') and Ada answers by SMS with a 5-character code. " +
                "A message to more than Sms__ConfirmAbove people waits for 'YES <code>' / 'ДА <code>' from the same number (outcome confirm). " +
                "Outcome: queued, confirm, refused, status, cancel, help, unknown_sender, replayed.")
            .Accepts<SmsWebhookEnvelope>("application/json")
            .Produces<SmsWebhookAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .AddOpenApiOperationTransformer(Signed);
        group.MapPost("/reports", Reports).WithName("SmsReports")
            .WithSummary("The gateway's sms:sent / sms:delivered / sms:failed webhooks: delivery reports of Ada's SMS")
            .WithDescription("sms:delivered moves the receipt from 'sent' to 'delivered'; sms:failed to 'failed' with the reason " +
                "(the history's counts follow); sms:sent changes nothing. A report that comes before the courier wrote the receipt " +
                "is answered 409 (a 4xx: the input is fine, the state is not there yet) so the gateway retries. Outcome: updated, unchanged, ignored, unknown_message, replayed.")
            .Accepts<SmsWebhookEnvelope>("application/json")
            .Produces<SmsWebhookAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .AddOpenApiOperationTransformer(Signed);

        return group;
    }

    private static async Task<Results<Ok<SmsWebhookAnswer>, ProblemHttpResult>> Inbound(
        HttpRequest request, SmsWebhook webhook, WebhookOnce once, SmsInbox inbox)
    {
        var (envelope, problem) = await webhook.ReadAsync(request);
        if (problem is not null)
        {
            return problem;
        }
        if (envelope!.Event != SmsEvents.Received)
        {
            return WrongEvent(envelope.Event, "/v1/sms/inbound takes sms:received; delivery reports go to /v1/sms/reports.");
        }
        if (envelope.Payload is not { Message: { } text } payload)
        {
            return Problems.BadRequest("'payload.message' is required: the text of the SMS received.");
        }
        return Answer(await once.RunAsync(Keys.SmsEnvelope(envelope.Id!), SmsWebhook.ReplayWindow,
            () => inbox.HandleAsync(payload.PhoneNumber, text)));
    }

    private static async Task<Results<Ok<SmsWebhookAnswer>, ProblemHttpResult>> Reports(
        HttpRequest request, SmsWebhook webhook, WebhookOnce once, SmsReports reports)
    {
        var (envelope, problem) = await webhook.ReadAsync(request);
        if (problem is not null)
        {
            return problem;
        }
        if (envelope!.Event is not (SmsEvents.Sent or SmsEvents.Delivered or SmsEvents.Failed))
        {
            return WrongEvent(envelope.Event, "/v1/sms/reports takes sms:sent, sms:delivered and sms:failed; sms:received goes to /v1/sms/inbound.");
        }
        if (envelope.Payload is not { MessageId: { Length: > 0 and <= 200 } } payload)
        {
            return Problems.BadRequest("'payload.messageId' is required: the gateway's id of the message sent (at most 200 characters).");
        }
        var key = Keys.SmsEnvelope(envelope.Id!);
        var outcome = await once.RunAsync(key, SmsWebhook.ReplayWindow, () => reports.ApplyAsync(envelope.Event, payload));
        if (outcome.Value == SmsReports.NotYet)
        {
            await once.ForgetAsync(key);
            return Problems.Problem(StatusCodes.Status409Conflict,
                $"The receipt of gateway message {payload.MessageId} is not written yet; retry (the gateway does, from 10 s).");
        }
        return Answer(outcome);
    }

    /// <summary>
    /// <c>replayed</c> when the envelope id was handled already (<see cref="WebhookOnce"/>), else what was done;
    /// 409 while another API instance is handling the same envelope, so the gateway retries it.
    /// </summary>
    private static Results<Ok<SmsWebhookAnswer>, ProblemHttpResult> Answer(Once<string> outcome) => outcome.Turn switch
    {
        OnceTurn.Busy => Problems.Conflict("This webhook is being handled right now; retry (the gateway does, from 10 s)."),
        OnceTurn.Done => TypedResults.Ok(new SmsWebhookAnswer("replayed")),
        _ => TypedResults.Ok(new SmsWebhookAnswer(outcome.Value!)),
    };

    private static ProblemHttpResult WrongEvent(string? name, string hint) =>
        Problems.BadRequest($"'event' is {(name is null ? "missing" : Validation.Echo(name))}: {hint}");

    /// <summary>The gateway's two signature headers, in place of a bearer token.</summary>
    private static Task Signed(OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(RequiredHeader(
            "X-Signature", "Hex HMAC-SHA256 with Sms__WebhookSigningKey over the raw body bytes followed by X-Timestamp."));
        operation.Parameters.Add(RequiredHeader("X-Timestamp", "Unix seconds; more than 300 s from the API's clock is refused."));
        return Task.CompletedTask;
    }

    private static OpenApiParameter RequiredHeader(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = true,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };
}
