using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Api.Messages;

/// <summary>What happened to messages: the history documents and the per-person receipts. Teachers, staff, admins.</summary>
public static partial class HistoryApi
{
    public const int MaxLimit = 500;
    public const int MaxReceiptsLimit = 10_000;

    public static RouteGroupBuilder MapHistory(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapSignedInGroup("/v1/history", "History", Policies.Sender);

        group.MapGet("/", List).WithName("ListHistory")
            .WithSummary("The caller's messages, newest first (staff and admins: another sender's, or everyone's)")
            .WithDescription("Staff and admins may pass 'sender' (that sender's messages) or 'all=true' (every sender's). Filters: 'state' (scheduled, delivering, done, cancelled), 'from' (inclusive) and 'to' (exclusive), " +
                "ISO-8601 date-times with an offset, on the creation time. 'limit' (1-500, default 50) messages a page; while more " +
                "may remain, a Link header (rel=\"next\") gives the next page's 'cursor'. With 'state', at most 2000 messages are " +
                "looked at per request, so a page may be short (even empty) and still link to the next.")
            .Produces<HistoryDocument[]>();
        group.MapGet("/{id}", Get).WithName("GetHistory").WithSummary("The history document of one message")
            .Produces<HistoryDocument>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/receipts", Receipts).WithName("GetReceipts")
            .WithSummary("Who received the message how: one receipt per person and channel")
            .WithDescription("Without 'limit': every receipt, sorted by channel, then user id. With 'limit' (1-10000): one " +
                "page of about that many (sorted within the page) and, while more remain, a Link header " +
                "(rel=\"next\") with the 'cursor' of the next page. 'status' (sent, delivered, failed, no_contact, expired) " +
                "and 'channel' keep only those receipts (a filtered page may be short). 'format=csv': every matching receipt as " +
                "text/csv (userId,channel,status,detail,at), a download.")
            // One 200 with both media types: a second Produces for 200 would replace the receipts' schema.
            .Produces<Receipt[]>(StatusCodes.Status200OK, "application/json", "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Get(string id, ClaimsPrincipal user, MessageStore messages)
    {
        if (MessageAccess.Check(id, Caller.From(user)) is { } denied)
        {
            return denied;
        }
        return await messages.GetHistoryJsonAsync(id) is { } json ? MessageAccess.Json(MessageAccess.Shown(json)) : MessageAccess.Missing(id);
    }

    private static readonly string[] Statuses =
        [ReceiptStatus.Sent, ReceiptStatus.Delivered, ReceiptStatus.Failed, ReceiptStatus.NoContact, ReceiptStatus.Expired];

    private static async Task<Results<Ok<IReadOnlyList<Receipt>>, FileContentHttpResult, ProblemHttpResult>> Receipts(
        string id, ClaimsPrincipal user, MessageStore messages, HttpResponse response, string? limit, string? cursor,
        string? status, string? channel, string? format)
    {
        if (MessageAccess.Check(id, Caller.From(user)) is { } denied)
        {
            return denied;
        }
        if (status is not null && !Statuses.Contains(status))
        {
            return Problems.BadRequest($"'status' must be one of {string.Join(", ", Statuses)}; got {Validation.Echo(status)}.");
        }
        if (channel is not null && !ChannelName().IsMatch(channel))
        {
            return Problems.BadRequest($"'channel' {Validation.Echo(channel)} is not a channel name (lowercase letters and digits).");
        }
        if (format is not null && format != "csv")
        {
            return Problems.BadRequest($"'format' is csv or left out (JSON); got {Validation.Echo(format)}.");
        }
        bool Wanted(Receipt r) => (status is null || r.Status == status) && (channel is null || r.Channel == channel);
        if (format == "csv")
        {
            if (limit is not null || cursor is not null)
            {
                return Problems.BadRequest("'format=csv' gives every matching receipt: leave 'limit' and 'cursor' out.");
            }
            if (await messages.GetHistoryJsonAsync(id) is null)
            {
                return MessageAccess.Missing(id);
            }
            var csv = new StringBuilder("userId,channel,status,detail,at\n");
            foreach (var r in (await messages.GetReceiptsAsync(id)).Where(Wanted))
            {
                csv.Append(Csv(r.UserId)).Append(',').Append(Csv(r.Channel)).Append(',').Append(Csv(r.Status)).Append(',')
                    .Append(Csv(r.Detail)).Append(',').Append(Csv(r.ReportedAt ?? r.At)).Append('\n');
            }
            var name = "receipts-" + string.Concat(id.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')) + ".csv";
            return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", name);
        }
        var pageSize = 0;
        if (limit is not null &&
            (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxReceiptsLimit))
        {
            return Problems.BadRequest($"'limit' must be an integer from 1 to {MaxReceiptsLimit}; got {Validation.Echo(limit)}.");
        }
        var position = 0UL;
        if (cursor is not null && (limit is null || !ulong.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out position)))
        {
            return Problems.BadRequest(limit is null
                ? "'cursor' goes with 'limit': follow the Link header (rel=\"next\") of the previous page."
                : $"'cursor' {Validation.Echo(cursor)} is not one this endpoint gave; follow the Link header (rel=\"next\").");
        }
        if (await messages.GetHistoryJsonAsync(id) is null)
        {
            return MessageAccess.Missing(id);
        }
        if (limit is null)
        {
            return TypedResults.Ok<IReadOnlyList<Receipt>>([.. (await messages.GetReceiptsAsync(id)).Where(Wanted)]);
        }
        var (page, next) = await messages.GetReceiptsPageAsync(id, position, pageSize, channel);
        if (next is not null)
        {
            var filters = (status is null ? "" : "&status=" + status) + (channel is null ? "" : "&channel=" + channel);
            response.Headers.Link = $"</v1/history/{Uri.EscapeDataString(id)}/receipts?limit={pageSize}{filters}&cursor={next}>; rel=\"next\"";
        }
        return TypedResults.Ok<IReadOnlyList<Receipt>>([.. page.Where(Wanted)]);
    }

    /// <summary>A CSV cell: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is defused for spreadsheets.</summary>
    private static string Csv(string? value)
    {
        value ??= "";
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    [GeneratedRegex("^[a-z0-9_-]{1,32}$")]
    private static partial Regex ChannelName();

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> List(
        ClaimsPrincipal user, MessageStore messages, HttpResponse response,
        string? limit, string? sender, string? all, string? state, string? from, string? to, string? cursor)
    {
        var caller = Caller.From(user);
        if (all is not null && all is not ("true" or "false"))
        {
            return Problems.BadRequest($"'all' is true or false; got {Validation.Echo(all)}.");
        }
        var everyone = all == "true";
        if (everyone && !caller.IsStaffOrAdmin)
        {
            return Problems.Forbidden("Only staff and admins may read every sender's history; leave 'all' out.");
        }
        if (everyone && sender is not null)
        {
            return Problems.BadRequest("Pass 'sender' (one sender's messages) or 'all=true' (everyone's), not both.");
        }
        var count = 50;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxLimit))
        {
            return Problems.BadRequest($"'limit' must be an integer from 1 to {MaxLimit}; got {Validation.Echo(limit)}.");
        }
        if (sender is not null && sender != caller.Id)
        {
            if (!caller.IsStaffOrAdmin)
            {
                return Problems.Forbidden("Only staff and admins may read another sender's history; leave 'sender' out.");
            }
            if (!MessageIds.IsValidEntityId(sender))
            {
                return Problems.BadRequest($"'sender' {Validation.Echo(sender)} is not a valid user id.");
            }
        }
        var v = new Validation();
        if (state is not null && !States.Contains(state))
        {
            v.Add("state", $"'state' must be one of {string.Join(", ", States)}; got {Validation.Echo(state)}.");
        }
        Scheduler.TryReadTime(from, "from", v, out var fromAt);
        Scheduler.TryReadTime(to, "to", v, out var toAt);
        var (atOrBefore, skip) = (long.MaxValue, 0);
        if (cursor is not null && !TryReadCursor(cursor, out atOrBefore, out skip))
        {
            v.Add("cursor", $"'cursor' {Validation.Echo(cursor)} is not one this endpoint gave; follow the Link header (rel=\"next\").");
        }
        if (!v.IsValid)
        {
            return Problems.Invalid(v);
        }
        var owner = sender ?? caller.Id;
        var (fromMs, toMs) = (fromAt?.ToUnixTimeMilliseconds() ?? 0, toAt?.ToUnixTimeMilliseconds() ?? long.MaxValue);
        var documents = new List<string>();
        var (examined, exhausted) = (0, false);
        // Newest first, in batches; with a state filter a batch may yield few, so at most MaxExamined ids are read
        // per request and the Link header carries on from where this one stopped (a page may then be short).
        while (documents.Count < count && examined < MaxExamined && !exhausted)
        {
            var take = state is null ? count - documents.Count : Math.Min(100, MaxExamined - examined);
            var batch = everyone
                ? await messages.ListAllIdsPageAsync(fromMs, toMs, atOrBefore, skip, take)
                : await messages.ListIdsPageAsync(owner, fromMs, toMs, atOrBefore, skip, take);
            var json = await messages.GetHistoryJsonEachAsync([.. batch.Select(b => b.Id)]);
            var used = 0;
            for (; used < batch.Count && documents.Count < count; used++)
            {
                examined++;
                (atOrBefore, skip) = batch[used].CreatedMs == atOrBefore ? (atOrBefore, skip + 1) : (batch[used].CreatedMs, 1);
                if (json[used] is { } document && (state is null || StateOf(document) == state))
                {
                    documents.Add(MessageAccess.Shown(document));
                }
            }
            exhausted = batch.Count < take && used == batch.Count;
        }
        if (!exhausted)
        {
            var query = new List<string> { $"limit={count}" };
            foreach (var (name, value) in new[] { ("sender", sender), ("all", everyone ? "true" : null), ("state", state), ("from", from), ("to", to) })
            {
                if (value is not null)
                {
                    query.Add($"{name}={Uri.EscapeDataString(value)}");
                }
            }
            query.Add($"cursor={atOrBefore}_{skip}");
            response.Headers.Link = $"</v1/history?{string.Join("&", query)}>; rel=\"next\"";
        }
        return MessageAccess.Json($"[{string.Join(",", documents)}]");
    }

    /// <summary>The states a history document goes through (<c>state</c> filter).</summary>
    public static readonly string[] States = ["scheduled", "delivering", "done", "cancelled"];

    /// <summary>At most this many ids are looked at per request when filtering by state.</summary>
    public const int MaxExamined = 2_000;

    private static string? StateOf(string document)
    {
        using var parsed = JsonDocument.Parse(document);
        return parsed.RootElement.TryGetProperty("state", out var s) ? s.GetString() : null;
    }

    /// <summary>A cursor is <c>&lt;created ms&gt;_&lt;skip&gt;</c>: carry on at that creation time, past the first <c>skip</c> ids with it.</summary>
    private static bool TryReadCursor(string cursor, out long atOrBefore, out int skip)
    {
        skip = 0;
        var parts = cursor.Split('_');
        atOrBefore = 0;
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out atOrBefore)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out skip);
    }
}
