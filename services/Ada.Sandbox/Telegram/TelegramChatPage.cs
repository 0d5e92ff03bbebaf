using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Sandbox.Telegram;

/// <summary>
/// A chat with the bot in a browser, for a person playing a student or a teacher during a local run: the transcript
/// with the bot's inline buttons (forms, so it works without script), a box to write in, and the t.me deep link.
/// Everything shown is HTML-encoded once, here; the script only swaps in the server's own rendering every 1.5 s.
/// </summary>
public static partial class TelegramChatPage
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public static RouteGroupBuilder MapTelegramChatPage(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sandbox/telegram").WithTags("Sandbox: Telegram chat page").ExcludeFromDescription();

        group.MapGet("/chat/{chatId:long}", (long chatId, TelegramState telegram) => Page(telegram, chatId));
        group.MapPost("/chat/{chatId:long}", WriteAsync);
        group.MapPost("/chat/{chatId:long}/press", PressAsync);
        group.MapPost("/chat/{chatId:long}/block", (long chatId, TelegramState telegram, TelegramPeople people) =>
            Act(telegram, chatId, people.SetBlocked(chatId, true)));
        group.MapPost("/chat/{chatId:long}/unblock", (long chatId, TelegramState telegram, TelegramPeople people) =>
            Act(telegram, chatId, people.SetBlocked(chatId, false)));
        group.MapGet("/t.me/{botUsername}", OpenDeepLink);

        return group;
    }

    /// <summary>
    /// What pressing Start after opening https://t.me/{bot}?start={payload} does for someone new to the bot:
    /// a new person and chat, and "/start payload" (just "/start" without a payload) sent as them.
    /// </summary>
    private static Results<RedirectHttpResult, ContentHttpResult> OpenDeepLink(
        string botUsername, string? start, string? firstName, string? languageCode, TelegramState telegram, TelegramPeople people)
    {
        if (!string.Equals(botUsername, telegram.BotUsername, StringComparison.OrdinalIgnoreCase))
        {
            return Message(StatusCodes.Status404NotFound, $"Бот @{botUsername} не найден; здесь только @{telegram.BotUsername}. / No bot @{botUsername} here.");
        }

        if (start is not null && !StartPayload().IsMatch(start))
        {
            return Message(
                StatusCodes.Status400BadRequest,
                "Параметр start: от 1 до 64 символов A-Z, a-z, 0-9, _ и -. / start must be 1-64 characters of A-Z, a-z, 0-9, _ and -.");
        }

        var user = people.UserOf(telegram.NewUser(firstName, languageCode).Id);
        people.Write(user, start is null ? "/start" : $"/start {start}");
        return TypedResults.Redirect($"/sandbox/telegram/chat/{user.Id}");
    }

    private static async Task<Results<RedirectHttpResult, ContentHttpResult>> WriteAsync(
        long chatId, HttpRequest request, TelegramState telegram, TelegramPeople people)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync(request.HttpContext.RequestAborted) : FormCollection.Empty;
        var text = form["text"].ToString();
        if (chatId <= 0 || TelegramControlApi.CheckText(text) is not null)
        {
            return Page(telegram, chatId, "Напишите текст до 4096 символов. / Write a text of up to 4096 characters.", StatusCodes.Status400BadRequest);
        }

        return Act(telegram, chatId, people.Write(people.UserOf(chatId), text));
    }

    private static async Task<Results<RedirectHttpResult, ContentHttpResult>> PressAsync(
        long chatId, HttpRequest request, TelegramState telegram, TelegramPeople people)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync(request.HttpContext.RequestAborted) : FormCollection.Empty;
        return int.TryParse(form["messageId"], NumberStyles.None, CultureInfo.InvariantCulture, out var messageId)
            ? Act(telegram, chatId, people.Press(chatId, messageId, form["data"].ToString(), null))
            : Page(telegram, chatId, "Нет такой кнопки. / No such button.", StatusCodes.Status400BadRequest);
    }

    /// <summary>Back to the chat after a change (post, redirect, get), or the chat with the reason it did not happen.</summary>
    private static Results<RedirectHttpResult, ContentHttpResult> Act(TelegramState telegram, long chatId, PersonAction action) =>
        action.Refusal switch
        {
            PersonRefusal.None => TypedResults.Redirect($"/sandbox/telegram/chat/{chatId}", preserveMethod: false),
            PersonRefusal.BotBlocked => Page(telegram, chatId, "Вы заблокировали бота: сначала разблокируйте. / You blocked the bot: unblock it first.", StatusCodes.Status409Conflict),
            PersonRefusal.AlreadyBlocked or PersonRefusal.NotBlocked => Page(telegram, chatId, null),
            _ => Page(telegram, chatId, "Этой кнопки больше нет. / That button is gone.", StatusCodes.Status400BadRequest),
        };

    private static ContentHttpResult Page(TelegramState telegram, long chatId, string? notice = null, int status = StatusCodes.Status200OK)
    {
        var chat = telegram.Read(chatId);
        var name = chat.User?.FirstName ?? $"User {chatId}";
        var blocked = chat.State == ChatState.Blocked;
        var language = chat.User?.LanguageCode is { } code ? $" · language_code {E(code)}" : "";
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="ru">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Чат / Chat — {{E(name)}} и @{{E(telegram.BotUsername)}}</title>
            <style>
            body { font: 15px/1.4 system-ui, sans-serif; max-width: 40rem; margin: 0 auto; padding: 1rem; background: #e7ebf0; }
            .msg { margin: .5rem 0; padding: .5rem .75rem; border-radius: .75rem; max-width: 85%; white-space: pre-wrap; overflow-wrap: anywhere; }
            .bot { background: #fff; }
            .user { background: #d9fdd3; margin-left: auto; }
            .meta { color: #777; font-size: 12px; }
            .row { display: flex; gap: .25rem; margin-top: .25rem; }
            .row button, .row a { flex: 1; padding: .4rem; border: 1px solid #9bb; border-radius: .4rem; background: #f4f8fb; text-align: center; }
            .notice { background: #fff3c4; padding: .5rem; border-radius: .5rem; }
            #send { display: flex; gap: .5rem; position: sticky; bottom: 0; padding: .5rem 0; background: #e7ebf0; }
            #send input { flex: 1; padding: .5rem; }
            </style>
            </head>
            <body>
            <header>
            <h1>Чат / Chat: {{E(name)}} ↔ @{{E(telegram.BotUsername)}}</h1>
            <p class="meta">chat_id {{chatId}}{{language}}</p>
            </header>

            """);
        if (notice is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\" role=\"alert\">{E(notice)}</p>\n");
        }

        html.Append("<main id=\"transcript\">\n");
        foreach (var message in chat.Messages)
        {
            AppendMessage(html, chatId, message);
        }

        foreach (var answer in chat.Callbacks.Where(press => press.AnswerText is not null).TakeLast(1))
        {
            var kind = answer.ShowAlert ? "Окно / Alert" : "Уведомление / Toast";
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\">{kind}: {E(answer.AnswerText!)}</p>\n");
        }

        if (blocked)
        {
            html.Append("<p class=\"notice\">Бот заблокирован. / The bot is blocked.</p>\n");
        }

        html.Append("</main>\n");
        var commands = telegram.Commands.ShownInPrivateChat(chatId, chat.User?.LanguageCode);
        if (commands.Count > 0)
        {
            html.Append("<p class=\"meta\">Меню / Menu: ");
            html.AppendJoin(" · ", commands.Select(command => $"/{E(command.Command)} — {E(command.Description)}"));
            html.Append("</p>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $$"""
            <form id="send" method="post" action="/sandbox/telegram/chat/{{chatId}}">
            <input name="text" autocomplete="off" autofocus maxlength="4096" placeholder="Сообщение / Message" aria-label="Сообщение / Message">
            <button>Отправить / Send</button>
            </form>
            <form method="post" action="/sandbox/telegram/chat/{{chatId}}/{{(blocked ? "unblock" : "block")}}">
            <button class="meta">{{(blocked ? "Разблокировать бота / Unblock the bot" : "Заблокировать бота / Block the bot")}}</button>
            </form>
            <script>
            const transcript = () => document.getElementById('transcript');
            async function refresh() {
              const response = await fetch(location.pathname, { cache: 'no-store' });
              const next = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('transcript');
              if (next && next.innerHTML !== transcript().innerHTML) {
                transcript().innerHTML = next.innerHTML;
                window.scrollTo(0, document.body.scrollHeight);
              }
            }
            document.addEventListener('submit', async event => {
              const form = event.target;
              if (form.id !== 'send' && !form.closest('#transcript')) return;
              event.preventDefault();
              await fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form, event.submitter)) });
              if (form.id === 'send') form.reset();
              refresh();
            });
            setInterval(refresh, 1500);
            window.scrollTo(0, document.body.scrollHeight);
            </script>
            </body>
            </html>

            """);
        return TypedResults.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    private static void AppendMessage(StringBuilder html, long chatId, ChatEntry message)
    {
        var edited = message.EditCount > 0 ? $" · изменено / edited ×{message.EditCount}" : "";
        html.Append(CultureInfo.InvariantCulture, $"""
            <div class="msg {(message.FromBot ? "bot" : "user")}" id="m{message.MessageId}">{E(message.Text)}<div class="meta">#{message.MessageId} · {message.Date.UtcDateTime:HH:mm:ss} UTC{edited}</div>
            """);
        if (message.ReplyMarkup is { } markup)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <form method="post" action="/sandbox/telegram/chat/{chatId}/press"><input type="hidden" name="messageId" value="{message.MessageId}">
                """);
            foreach (var row in markup.GetProperty("inline_keyboard").EnumerateArray())
            {
                html.Append("<div class=\"row\">");
                foreach (var button in row.EnumerateArray())
                {
                    AppendButton(html, button);
                }

                html.Append("</div>");
            }

            html.Append("</form>");
        }

        html.Append("</div>\n");
    }

    /// <summary>Callback buttons submit their data; URL buttons link only to http(s), never to script.</summary>
    private static void AppendButton(StringBuilder html, JsonElement button)
    {
        var text = E(button.GetProperty("text").GetString()!);
        if (button.TryGetProperty("callback_data", out var data))
        {
            html.Append(CultureInfo.InvariantCulture, $"<button name=\"data\" value=\"{E(data.GetString()!)}\">{text}</button>");
        }
        else if (button.TryGetProperty("url", out var url)
            && HttpUrls.TryParse(url.GetString(), out var uri))
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{E(uri.AbsoluteUri)}\" target=\"_blank\" rel=\"noopener noreferrer\">{text}</a>");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"<button type=\"button\" disabled>{text}</button>");
        }
    }

    private static ContentHttpResult Message(int status, string text) => TypedResults.Content(
        $"<!doctype html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\"><title>Telegram</title></head><body><p>{E(text)}</p></body></html>\n",
        "text/html; charset=utf-8",
        Encoding.UTF8,
        status);

    private static string E(string text) => Html.Encode(text);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex StartPayload();
}
