using System.Globalization;
using System.Security.Claims;
using Ada.Api.Auth;
using Ada.Api.Http;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Api.Messages;

/// <summary>What happened to messages: the history documents and the per-person receipts. Teachers, staff, admins.</summary>
public static class HistoryApi
{
    public const int MaxLimit = 500;
    public const int MaxReceiptsLimit = 10_000;

    public static RouteGroupBuilder MapHistory(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/history").WithTags("History").RequireAuthorization(Policies.Sender)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/", List).WithName("ListHistory")
            .WithSummary("The caller's messages, newest first (staff and admins may pass another sender)")
            .Produces<HistoryDocument[]>();
        group.MapGet("/{id}", Get).WithName("GetHistory").WithSummary("The history document of one message")
            .Produces<HistoryDocument>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/receipts", Receipts).WithName("GetReceipts")
            .WithSummary("Who received the message how: one receipt per person and channel")
            .WithDescription("Without 'limit': every receipt, sorted by channel, then user id. With 'limit' (1-10000): one " +
                "page of about that many (sorted within the page) and, while more remain, a Link header " +
                "(rel=\"next\") with the 'cursor' of the next page.")
            .Produces<Receipt[]>().ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Get(string id, ClaimsPrincipal user, MessageStore messages)
    {
        if (MessageAccess.Check(id, Caller.From(user)) is { } denied)
        {
            return denied;
        }
        return await messages.GetHistoryJsonAsync(id) is { } json ? MessageAccess.Json(json) : MessageAccess.Missing(id);
    }

    private static async Task<Results<Ok<IReadOnlyList<Receipt>>, ProblemHttpResult>> Receipts(
        string id, ClaimsPrincipal user, MessageStore messages, HttpResponse response, string? limit, string? cursor)
    {
        if (MessageAccess.Check(id, Caller.From(user)) is { } denied)
        {
            return denied;
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
            return TypedResults.Ok(await messages.GetReceiptsAsync(id));
        }
        var (page, next) = await messages.GetReceiptsPageAsync(id, position, pageSize);
        if (next is not null)
        {
            response.Headers.Link = $"</v1/history/{Uri.EscapeDataString(id)}/receipts?limit={pageSize}&cursor={next}>; rel=\"next\"";
        }
        return TypedResults.Ok(page);
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> List(
        ClaimsPrincipal user, MessageStore messages, string? limit, string? sender)
    {
        var caller = Caller.From(user);
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
        var ids = await messages.ListIdsAsync(sender ?? caller.Id, count);
        var documents = await messages.GetHistoryJsonManyAsync(ids);
        return MessageAccess.Json($"[{string.Join(",", documents)}]");
    }
}
