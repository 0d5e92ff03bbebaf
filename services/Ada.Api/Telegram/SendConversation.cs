using System.Globalization;
using System.Text;
using Ada.Api.Auth;
using Ada.Api.Messages;
using Ada.Api.Sms;
using Ada.Core;
using Ada.Core.Couriers;
using Ada.Core.Directory;
using Ada.Core.Messages;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Telegram.Bot.Types.ReplyMarkups;

namespace Ada.Api.Telegram;

/// <summary>
/// A teacher's (or staff member's) <c>/send</c>: pick groups and streams from an inline keyboard (several,
/// paged, narrowed by typing part of a name), type the text, choose when, read the summary — people,
/// reachable per channel, on no channel, SMS segments, the quiet-hours move — and confirm. Confirming
/// queues through <see cref="MessageQueue"/> with origin <c>telegram</c>, the same path as <c>POST /v1/queue</c>,
/// and the summary message becomes the live status message (<see cref="LiveStatus"/>).
/// </summary>
public sealed class SendConversation(
    IConnectionMultiplexer mux, DirectoryStore directory, CourierRegistry couriers, MessageQueue queue, Scheduler scheduler,
    ShortIds shortIds, RefusalTexts refusals, BotReplies replies, LiveStatus live, IOptions<SchedulingOptions> scheduling, TimeProvider time,
    ILogger<SendConversation> logger)
{
    /// <summary>A conversation left alone this long is forgotten.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    public const int PageSize = 8;

    private readonly TimeZoneInfo _zone = scheduling.Value.Zone;

    /// <summary><c>/send</c>, or text typed outside a conversation (then it is the message's text).</summary>
    public async Task StartAsync(long chatId, Caller caller, string lang, string? text)
    {
        var targets = await TargetsAsync(caller);
        if (targets.Count == 0)
        {
            await replies.SendAsync(chatId, T(lang,
                "Вам пока некому писать: за вами не закреплено ни одной группы или потока. Обратитесь в деканат.",
                "There is no one you can write to yet: no group or stream is assigned to you. Ask the dean's office."));
            return;
        }
        var draft = new SendDraft
        {
            Nonce = SendDraft.NewNonce(), Step = SendDraft.Pick, Language = lang, Targets = targets, MessageText = Clean(text),
        };
        await SaveAsync(chatId, draft);
        await replies.SendAsync(chatId, PickText(draft), PickKeyboard(draft));
    }

    /// <summary>Text typed while a conversation is open; false when there is none (the caller starts one).</summary>
    public async Task<bool> OnTextAsync(long chatId, Caller caller, string text)
    {
        if (await LoadAsync(chatId) is not { } draft)
        {
            return false;
        }
        var lang = draft.Language;
        switch (draft.Step)
        {
            case SendDraft.Pick:
                draft = draft with { Filter = Clean(text), Page = 0 };
                await SaveAsync(chatId, draft);
                await replies.SendAsync(chatId, PickText(draft), PickKeyboard(draft));
                return true;
            case SendDraft.Text:
                draft = draft with { MessageText = text, Step = SendDraft.When };
                await SaveAsync(chatId, draft);
                await replies.SendAsync(chatId, WhenText(draft), WhenKeyboard(draft));
                return true;
            case SendDraft.Time:
                if (ParseTime(text) is not { } at)
                {
                    await replies.SendAsync(chatId, T(lang,
                        "Не понял время. Напишите, например, 25.12 14:30 или 14:30.",
                        "I did not get the time. Write, for example, 25.12 14:30 or 14:30."));
                    return true;
                }
                if (at < time.GetUtcNow().AddMinutes(-1) || at > time.GetUtcNow() + Scheduler.MaxAhead)
                {
                    await replies.SendAsync(chatId, T(lang,
                        $"Время должно быть от сейчас и не позже чем через {Scheduler.MaxAhead.TotalDays:0} дней.",
                        $"The time must be from now to at most {Scheduler.MaxAhead.TotalDays:0} days ahead."));
                    return true;
                }
                await ShowSummaryAsync(chatId, caller, draft with { SendAt = at }, null);
                return true;
            default:
                // A summary or a question with buttons is open: new text starts over with that text.
                await ForgetAsync(chatId, caller, draft);
                return false;
        }
    }

    /// <summary>A button of a conversation: <c>&lt;nonce&gt;:&lt;action&gt;</c>.</summary>
    public async Task OnButtonAsync(long chatId, int messageId, string queryId, Caller caller, string data)
    {
        var separator = data.IndexOf(':', StringComparison.Ordinal);
        var draft = await LoadAsync(chatId);
        if (separator < 0 || draft is null || draft.Nonce != data[..separator])
        {
            await replies.AnswerButtonAsync(queryId, T(draft?.Language ?? Languages.Russian,
                "Этот черновик уже закрыт. Начните заново: /send", "This draft is closed. Start again: /send"));
            return;
        }
        var lang = draft.Language;
        var action = data[(separator + 1)..];
        switch (action)
        {
            case ['t', .. var index] when int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i)
                && i < draft.Targets.Count && draft.Step == SendDraft.Pick:
                draft = draft with { Selected = draft.Selected.Contains(i) ? [.. draft.Selected.Where(s => s != i)] : [.. draft.Selected, i] };
                await SaveAsync(chatId, draft);
                await replies.AnswerButtonAsync(queryId);
                await replies.EditAsync(chatId, messageId, PickText(draft), PickKeyboard(draft));
                return;
            case ['p', .. var page] when int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && draft.Step == SendDraft.Pick:
                draft = draft with { Page = p };
                await SaveAsync(chatId, draft);
                await replies.AnswerButtonAsync(queryId);
                await replies.EditAsync(chatId, messageId, PickText(draft), PickKeyboard(draft));
                return;
            case "d" when draft.Step == SendDraft.Pick:
                if (draft.Selected.Count == 0)
                {
                    await replies.AnswerButtonAsync(queryId, T(lang, "Отметьте хотя бы одну группу или поток.", "Pick at least one group or stream."));
                    return;
                }
                await replies.AnswerButtonAsync(queryId);
                if (draft.MessageText is null)
                {
                    draft = draft with { Step = SendDraft.Text };
                    await SaveAsync(chatId, draft);
                    await replies.EditAsync(chatId, messageId, $"{To(draft)}\n\n" + T(lang, "Теперь напишите текст сообщения.", "Now type the message."));
                    return;
                }
                draft = draft with { Step = SendDraft.When };
                await SaveAsync(chatId, draft);
                await replies.EditAsync(chatId, messageId, WhenText(draft), WhenKeyboard(draft));
                return;
            case "wn" or "wh" or "wt" when draft.Step == SendDraft.When:
                await replies.AnswerButtonAsync(queryId);
                await ShowSummaryAsync(chatId, caller, draft with { SendAt = action switch
                {
                    "wn" => null,
                    "wh" => time.GetUtcNow().AddHours(1),
                    _ => TomorrowAt8(),
                } }, messageId);
                return;
            case "wa" when draft.Step == SendDraft.When:
                draft = draft with { Step = SendDraft.Time };
                await SaveAsync(chatId, draft);
                await replies.AnswerButtonAsync(queryId);
                await replies.EditAsync(chatId, messageId, T(lang,
                    "Напишите дату и время, например 25.12 14:30, или только время: 14:30.",
                    "Type the date and time, for example 25.12 14:30, or just the time: 14:30."));
                return;
            case "ok" when draft.Step == SendDraft.Confirm:
                await replies.AnswerButtonAsync(queryId);
                await ConfirmAsync(chatId, messageId, caller, draft);
                return;
            case "x":
                await ForgetAsync(chatId, caller, draft);
                await replies.AnswerButtonAsync(queryId);
                await replies.EditAsync(chatId, messageId, T(lang, "Отменено, ничего не отправлено.", "Cancelled; nothing was sent."));
                return;
            default:
                await replies.AnswerButtonAsync(queryId, T(lang, "Эта кнопка уже не действует.", "This button no longer works."));
                return;
        }
    }

    private async Task ShowSummaryAsync(long chatId, Caller caller, SendDraft draft, int? messageId)
    {
        var lang = draft.Language;
        var id = draft.MessageId ?? MessageIds.New(caller.Id, time);
        var code = draft.ShortId ?? await shortIds.ReserveAsync(caller.Id, id);
        draft = draft with { Step = SendDraft.Confirm, MessageId = id, ShortId = code };
        await SaveAsync(chatId, draft);
        var summary = await SummaryAsync(caller, draft);
        var keyboard = new InlineKeyboardMarkup(
            [[BotReplies.Button(T(lang, "✅ Отправить", "✅ Send"), draft.Data("ok")), BotReplies.Button(T(lang, "Отмена", "Cancel"), draft.Data("x"))]]);
        if (messageId is { } edited)
        {
            await replies.EditAsync(chatId, edited, summary, keyboard);
        }
        else
        {
            await replies.SendAsync(chatId, summary, keyboard);
        }
    }

    /// <summary>What will happen: addressees, text, time (and the quiet-hours move), people, reach per channel, SMS segments.</summary>
    private async Task<string> SummaryAsync(Caller caller, SendDraft draft)
    {
        var lang = draft.Language;
        var expansion = await directory.ExpandAsync(Addressees(draft));
        var people = expansion.Recipients;
        var alive = await couriers.AliveChannelsAsync();
        var db = mux.GetDatabase();
        var reachable = new Dictionary<string, int>(StringComparer.Ordinal);
        var reached = new HashSet<string>(StringComparer.Ordinal);
        foreach (var channel in alive)
        {
            var addresses = people.Count == 0 ? [] : await db.HashGetAsync(Keys.Contacts(channel), [.. people.Select(p => (RedisValue)p)]);
            var count = 0;
            for (var i = 0; i < addresses.Length; i++)
            {
                if (!addresses[i].IsNull)
                {
                    count++;
                    reached.Add(people[i]);
                }
            }
            reachable[channel] = count;
        }
        var (deliverAt, rescheduled) = scheduler.Plan(caller, draft.SendAt, urgent: false);
        var text = new StringBuilder();
        text.Append(T(lang, "Проверьте и отправьте.\n", "Check and send.\n"));
        text.Append(To(draft)).Append('\n');
        text.Append(T(lang, "Текст: ", "Text: ")).Append(BotTexts.Preview(draft.MessageText ?? "", 300)).Append('\n');
        text.Append(T(lang, "Когда: ", "When: "))
            .Append(draft.SendAt is null && rescheduled is null ? T(lang, "сейчас", "now") : BotTexts.Local(deliverAt, _zone));
        if (rescheduled is not null)
        {
            text.Append(T(lang, $" (тихие часы: перенесено с {BotTexts.Local(rescheduled.From, _zone)})",
                $" (quiet hours: moved from {BotTexts.Local(rescheduled.From, _zone)})"));
        }
        text.Append('\n').Append(T(lang, "Получателей: ", "Recipients: ")).Append(people.Count).Append('\n');
        if (alive.Count == 0)
        {
            text.Append(T(lang, "Сейчас не работает ни один канал доставки.", "No delivery channel is running right now.")).Append('\n');
        }
        else
        {
            text.Append(T(lang, "Доступны: ", "Reachable: "))
                .AppendJoin(", ", alive.Select(c => $"{BotTexts.ChannelName(c)} {reachable[c]}")).Append('\n');
            text.Append(T(lang, "Ни в одном канале: ", "On no channel: ")).Append(people.Count - reached.Count).Append('\n');
        }
        if (alive.Contains(Channels.Sms) && draft.MessageText is { } body)
        {
            var split = SmsSegments.Split(body);
            text.Append(T(lang, $"SMS: {split.Count} сегм. на человека", $"SMS: {split.Count} segment(s) per person"))
                .Append(split.Encoding == SmsEncoding.Ucs2 ? T(lang, " (кириллица: 67 знаков в сегменте)", " (Cyrillic: 67 characters a segment)") : "")
                .Append('\n');
        }
        text.Append(T(lang, "Код сообщения: ", "Message code: ")).Append(draft.ShortId);
        return text.ToString();
    }

    private async Task ConfirmAsync(long chatId, int messageId, Caller caller, SendDraft draft)
    {
        var lang = draft.Language;
        var to = Addressees(draft);
        var body = new QueueBody(draft.MessageId, draft.MessageText ?? "",
            new AddresseesBody(null, [.. to.Groups], [.. to.Supergroups]),
            draft.SendAt is { } at ? at.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture) : null, null, "telegram");
        var result = await queue.QueueAsync(caller, body, draft.ShortId);
        await mux.GetDatabase().KeyDeleteAsync(Keys.TelegramConversation(chatId));
        if (result.Refusal is { } refusal)
        {
            await shortIds.ReleaseAsync(caller.Id, draft.ShortId!);
            logger.LogInformation("Refused a Telegram message from {Sender}: {Reason}", caller.Id, refusal.Code);
            await replies.EditAsync(chatId, messageId, T(lang, "Не отправлено. ", "Not sent. ") + refusals.Describe(refusal, lang));
            return;
        }
        var answer = result.Answer!;
        logger.LogInformation("Queued {MessageId} from {Sender} through the Telegram bot", answer.Id, caller.Id);
        await live.FollowAsync(chatId, messageId, answer.Id, draft.ShortId!, lang);
    }

    private async Task ForgetAsync(long chatId, Caller caller, SendDraft draft)
    {
        await mux.GetDatabase().KeyDeleteAsync(Keys.TelegramConversation(chatId));
        if (draft.ShortId is { } code)
        {
            await shortIds.ReleaseAsync(caller.Id, code);
        }
    }

    /// <summary>What the caller may address: staff and admins every group and stream, teachers those they own.</summary>
    private async Task<IReadOnlyList<SendTarget>> TargetsAsync(Caller caller)
    {
        var groups = await directory.GroupNamesAsync();
        var supergroups = await directory.SupergroupNamesAsync();
        var targets = new List<SendTarget>();
        if (caller.IsStaffOrAdmin)
        {
            targets.AddRange(supergroups.Select(s => new SendTarget(SendTarget.Supergroup, s.Key, s.Value)));
            targets.AddRange(groups.Select(g => new SendTarget(SendTarget.Group, g.Key, g.Value)));
        }
        else
        {
            var ownedSupergroups = await Task.WhenAll(supergroups.Keys.Select(directory.GetSupergroupAsync));
            targets.AddRange(ownedSupergroups.Where(s => s is not null && s.Owners.Contains(caller.Id))
                .Select(s => new SendTarget(SendTarget.Supergroup, s!.Id, s.Name)));
            var ownedGroups = await Task.WhenAll(groups.Keys.Select(directory.GetGroupAsync));
            targets.AddRange(ownedGroups.Where(g => g is not null && g.Owners.Contains(caller.Id))
                .Select(g => new SendTarget(SendTarget.Group, g!.Id, g.Name)));
        }
        return [.. targets.OrderBy(t => t.Kind == SendTarget.Supergroup ? 0 : 1).ThenBy(t => t.Name, StringComparer.CurrentCultureIgnoreCase)];
    }

    private static Addressees Addressees(SendDraft draft)
    {
        var chosen = draft.Selected.Order().Select(i => draft.Targets[i]).ToList();
        return new Addressees([], [.. chosen.Where(t => t.Kind == SendTarget.Group).Select(t => t.Id)],
            [.. chosen.Where(t => t.Kind == SendTarget.Supergroup).Select(t => t.Id)]);
    }

    private static string PickText(SendDraft draft)
    {
        var lang = draft.Language;
        var text = new StringBuilder(T(lang,
            "Кому? Отметьте группы и потоки (можно несколько) и нажмите «Готово». Чтобы найти, напишите часть названия.",
            "To whom? Tick groups and streams (several if you like) and press Done. To search, type part of a name."));
        if (draft.MessageText is not null)
        {
            text.Append('\n').Append(T(lang, "Текст: ", "Text: ")).Append(BotTexts.Preview(draft.MessageText, 300));
        }
        if (draft.Filter is not null)
        {
            text.Append('\n').Append(T(lang, "Поиск: ", "Search: ")).Append('«').Append(draft.Filter).Append('»');
            if (draft.Visible().Count == 0)
            {
                text.Append(T(lang, " — ничего не найдено.", " — nothing found."));
            }
        }
        if (draft.Selected.Count > 0)
        {
            text.Append('\n').Append(To(draft));
        }
        return text.ToString();
    }

    private static InlineKeyboardMarkup PickKeyboard(SendDraft draft)
    {
        var lang = draft.Language;
        var visible = draft.Visible();
        var pages = Math.Max(1, (visible.Count + PageSize - 1) / PageSize);
        var page = Math.Clamp(draft.Page, 0, pages - 1);
        var rows = new List<InlineKeyboardButton[]>();
        foreach (var pair in visible.Skip(page * PageSize).Take(PageSize).Chunk(2))
        {
            rows.Add([.. pair.Select(i => BotReplies.Button(Label(draft, i), draft.Data("t" + SendDraft.Index(i))))]);
        }
        if (pages > 1)
        {
            rows.Add([
                BotReplies.Button("◀", draft.Data("p" + SendDraft.Index((page + pages - 1) % pages))),
                BotReplies.Button($"{page + 1}/{pages}", draft.Data("p" + SendDraft.Index(page))),
                BotReplies.Button("▶", draft.Data("p" + SendDraft.Index((page + 1) % pages))),
            ]);
        }
        rows.Add([BotReplies.Button(T(lang, "Готово", "Done"), draft.Data("d")), BotReplies.Button(T(lang, "Отмена", "Cancel"), draft.Data("x"))]);
        return new InlineKeyboardMarkup(rows);
    }

    private static string Label(SendDraft draft, int i)
    {
        var target = draft.Targets[i];
        var name = target.Kind == SendTarget.Supergroup ? T(draft.Language, "поток ", "stream ") + target.Name : target.Name;
        return draft.Selected.Contains(i) ? "✅ " + name : name;
    }

    private static string To(SendDraft draft)
    {
        var names = draft.Selected.Order().Select(i => draft.Targets[i])
            .Select(t => t.Kind == SendTarget.Supergroup ? T(draft.Language, "поток ", "stream ") + t.Name : t.Name);
        return T(draft.Language, "Кому: ", "To: ") + string.Join(", ", names);
    }

    private static string WhenText(SendDraft draft) => $"{To(draft)}\n{T(draft.Language, "Текст: ", "Text: ")}" +
        $"{BotTexts.Preview(draft.MessageText ?? "", 300)}\n\n" + T(draft.Language, "Когда отправить?", "When to send?");

    private static InlineKeyboardMarkup WhenKeyboard(SendDraft draft)
    {
        var lang = draft.Language;
        return new InlineKeyboardMarkup([
            [BotReplies.Button(T(lang, "Сейчас", "Now"), draft.Data("wn")), BotReplies.Button(T(lang, "Через час", "In an hour"), draft.Data("wh"))],
            [BotReplies.Button(T(lang, "Завтра в 08:00", "Tomorrow 08:00"), draft.Data("wt")), BotReplies.Button(T(lang, "Другое время", "Other time"), draft.Data("wa"))],
            [BotReplies.Button(T(lang, "Отмена", "Cancel"), draft.Data("x"))],
        ]);
    }

    private DateTimeOffset TomorrowAt8()
    {
        var local = TimeZoneInfo.ConvertTime(time.GetUtcNow(), _zone);
        return AtLocal(local.Date.AddDays(1).AddHours(8));
    }

    /// <summary>
    /// A typed time in the institution's zone: <c>HH:mm</c> (today, or tomorrow when it has passed),
    /// <c>dd.MM HH:mm</c>, <c>dd.MM.yyyy HH:mm</c> or <c>yyyy-MM-dd HH:mm</c>; null when it is none of them.
    /// </summary>
    public DateTimeOffset? ParseTime(string typed)
    {
        var text = string.Join(' ', typed.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var now = TimeZoneInfo.ConvertTime(time.GetUtcNow(), _zone);
        if (DateTime.TryParseExact(text, ["H:mm", "H.mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var clock))
        {
            var today = now.Date + clock.TimeOfDay;
            return AtLocal(today < now.DateTime ? today.AddDays(1) : today);
        }
        if (DateTime.TryParseExact(text, ["d.M H:mm", "d.MM H:mm", "dd.MM H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var dayTime))
        {
            var at = new DateTime(now.Year, dayTime.Month, dayTime.Day, dayTime.Hour, dayTime.Minute, 0, DateTimeKind.Unspecified);
            return AtLocal(at < now.DateTime.AddDays(-1) ? at.AddYears(1) : at);
        }
        if (DateTime.TryParseExact(text, ["d.M.yyyy H:mm", "dd.MM.yyyy H:mm", "yyyy-MM-dd H:mm", "yyyy-MM-ddTHH:mm"],
            CultureInfo.InvariantCulture, DateTimeStyles.None, out var full))
        {
            return AtLocal(full);
        }
        return null;
    }

    private DateTimeOffset AtLocal(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, _zone.GetUtcOffset(unspecified));
    }

    private async Task<SendDraft?> LoadAsync(long chatId)
    {
        var json = await mux.GetDatabase().StringGetAsync(Keys.TelegramConversation(chatId));
        return json.IsNull ? null : AdaJson.Deserialize<SendDraft>(json.ToString());
    }

    private async Task SaveAsync(long chatId, SendDraft draft) =>
        await mux.GetDatabase().StringSetAsync(Keys.TelegramConversation(chatId), AdaJson.Serialize(draft), Lifetime);

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string T(string lang, string ru, string en) => lang == Languages.English ? en : ru;
}
