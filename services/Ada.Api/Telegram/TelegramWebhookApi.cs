using System.Text.Json;
using Ada.Api.Http;
using Ada.Core.Redis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace Ada.Api.Telegram;

/// <summary>
/// <c>POST /v1/telegram/webhook</c>: Telegram's webhook (<c>Telegram:Updates=webhook</c>). Authenticated by the
/// <c>X-Telegram-Bot-Api-Secret-Token</c> header (compared in constant time with <c>Telegram:WebhookSecret</c>),
/// not a bearer token. Answered 200 once the update's work is recorded; Telegram resends anything else, and
/// the once-guard makes a resent update change nothing.
/// </summary>
public static class TelegramWebhookApi
{
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    public static RouteGroupBuilder MapTelegramWebhook(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapWebhookGroup("/v1/telegram", "Telegram");

        group.MapPost("/webhook", Webhook).WithName("TelegramWebhook")
            .WithSummary("Telegram bot updates (authenticated by the X-Telegram-Bot-Api-Secret-Token header, not a bearer token)")
            .WithDescription("One Telegram Update object. 200 once it is acted on (or was already: a resent update_id changes nothing); " +
                "409 while another API instance is acting on the same update_id (Telegram resends it). 404 when the bot takes updates " +
                "by long polling (Telegram__Updates=polling) or has no token.")
            .Accepts<JsonElement>("application/json")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return group;
    }

    private static async Task<Results<Ok, ProblemHttpResult>> Webhook(
        HttpRequest request, IOptions<TelegramBotOptions> options, IServiceProvider services, ILoggerFactory loggers)
    {
        var settings = options.Value;
        if (!settings.Enabled || !settings.UsesWebhook)
        {
            return Problems.NotFound("The Telegram webhook is off: set Telegram__Token, Telegram__Updates=webhook, " +
                "Telegram__WebhookUrl and Telegram__WebhookSecret.");
        }
        if (!Webhooks.SameSecret(request.Headers[SecretHeader].ToString(), settings.WebhookSecret!))
        {
            RefusalLog.TelegramWebhook.Log(loggers.CreateLogger(typeof(TelegramWebhookApi)), "the secret token header does not match");
            return Problems.Forbidden($"The {SecretHeader} header does not match Telegram__WebhookSecret.");
        }
        Update? update;
        try
        {
            update = await JsonSerializer.DeserializeAsync<Update>(request.Body, JsonBotAPI.Options, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return Problems.BadRequest($"The body is not a Telegram Update object: {e.Message}");
        }
        if (update is null)
        {
            return Problems.BadRequest("The body is null; expected a Telegram Update object.");
        }
        var turn = await services.GetRequiredService<BotUpdates>().HandleAsync(update);
        return turn == OnceTurn.Busy
            ? Problems.Conflict($"Update {update.Id} is being handled by another API instance; resend it later.")
            : TypedResults.Ok();
    }
}
