using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox.Vk;

/// <summary>
/// The VK API wire protocol at /method/{name}: parameters from the query and urlencoded or multipart bodies (not
/// JSON, which VK ignores), access_token or a Bearer header, v required, every answer HTTP 200 with response or
/// error. Only messages.send and execute are answered; other methods are error 3.
/// </summary>
public static class VkApi
{
    public const string Version = "5.199";
    public const int MaxMessageLength = 9000;
    public const int MaxPeerIds = 100;
    public const int MaxExecuteCalls = 25;

    // VK writes Cyrillic and apostrophes unescaped; the body is JSON only, never embedded in HTML.
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly (int Major, int Minor) OldestVersion = (5, 81);

    // random_id became mandatory in 5.90.
    private static readonly (int Major, int Minor) RandomIdRequiredSince = (5, 90);

    // Long enough that any sane client times out first, as when api.vk.com hangs.

    public static RouteGroupBuilder MapVkApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/method").WithTags("VK API");

        group.MapMethods("/{name}", [HttpMethods.Get, HttpMethods.Post], HandleAsync);

        return group;
    }

    private static async Task<Results<JsonHttpResult<VkEnvelope>, ContentHttpResult, EmptyHttpResult>> HandleAsync(
        string name,
        HttpContext context,
        VkState state,
        IOptions<VkOptions> options,
        TimeProvider time,
        IHostApplicationLifetime lifetime)
    {
        state.Counters.Requests.Add();
        var parameters = await ReadParametersAsync(context.Request);

        var fault = state.Fault.Take();
        if (fault != VkFaultMode.None)
        {
            state.Counters.Errors.Add();
            return fault == VkFaultMode.Error10
                ? TypedResults.Json(VkEnvelope.Failure(VkErrors.InternalServerError, RequestParams(name, parameters)), Json)
                : await InjectFaultAsync(fault, time, context.RequestAborted, lifetime.ApplicationStopping);
        }

        var envelope = Answer(name, parameters, context.Request, state, options.Value);
        switch (envelope.Error?.ErrorCode)
        {
            case null:
                break;
            case 6:
                state.Counters.Throttled.Add();
                break;
            default:
                state.Counters.Errors.Add();
                break;
        }

        return TypedResults.Json(envelope, Json);
    }

    private static VkEnvelope Answer(
        string method, OrderedDictionary<string, string> parameters, HttpRequest request, VkState state, VkOptions options)
    {
        var failure = Admit(parameters, request, state, options, out var version);
        if (failure is not null)
        {
            return VkEnvelope.Failure(failure, RequestParams(method, parameters));
        }

        // Method names are case sensitive on VK.
        switch (method)
        {
            case "messages.send":
                var sent = Send(parameters, version, state);
                return sent.Failure is { } sendFailure
                    ? VkEnvelope.Failure(sendFailure, RequestParams(method, parameters))
                    : VkEnvelope.Success(sent.Value!);
            case "execute":
                return Execute(parameters, version, state);
            default:
                return VkEnvelope.Failure(VkErrors.UnknownMethod, RequestParams(method, parameters));
        }
    }

    /// <summary>The checks every method call passes first: token, version, then the rate limit.</summary>
    private static VkFailure? Admit(
        OrderedDictionary<string, string> parameters, HttpRequest request, VkState state, VkOptions options, out (int Major, int Minor) version)
    {
        version = default;
        var token = parameters.GetValueOrDefault("access_token") ?? BearerToken(request);
        if (string.IsNullOrEmpty(token))
        {
            return VkErrors.NoAccessToken;
        }

        if (!string.IsNullOrEmpty(options.Token) && !string.Equals(token, options.Token, StringComparison.Ordinal))
        {
            return VkErrors.InvalidAccessToken;
        }

        if (!parameters.TryGetValue("v", out var rawVersion) || rawVersion.Length == 0)
        {
            return VkErrors.VersionRequired;
        }

        if (!TryParseVersion(rawVersion, out version) || version.CompareTo(OldestVersion) < 0)
        {
            return VkErrors.VersionDeprecated;
        }

        return state.TryAdmitRequest() ? null : VkErrors.TooManyRequests;
    }

    /// <summary>
    /// Runs each call of the script as its own request would run, all counted as one request. A failed call leaves
    /// false in its place and an entry in execute_errors; VK then closes execute_errors with the last error again
    /// under method "execute", as seen in its real answers.
    /// </summary>
    private static VkEnvelope Execute(OrderedDictionary<string, string> parameters, (int Major, int Minor) version, VkState state)
    {
        var requestParams = RequestParams("execute", parameters);
        if (!parameters.TryGetValue("code", out var code) || string.IsNullOrWhiteSpace(code))
        {
            return VkEnvelope.Failure(VkErrors.InvalidParameter("code is undefined"), requestParams);
        }

        if (!VkScriptCompiler.TryCompile(code, out var script, out var compileError))
        {
            return VkEnvelope.Failure(VkErrors.CannotCompile(compileError), requestParams);
        }

        if (script.Calls.Count > MaxExecuteCalls)
        {
            return VkEnvelope.Failure(VkErrors.TooManyApiCalls, requestParams);
        }

        state.Counters.ExecuteCalls.Add();
        var results = new List<object>(script.Calls.Count);
        var errors = new List<VkExecuteError>();
        foreach (var call in script.Calls)
        {
            var result = call.Method == "messages.send" ? Send(call.Arguments, version, state) : VkCallResult.Fail(VkErrors.UnknownMethod);
            if (result.Failure is { } failure)
            {
                state.Counters.Errors.Add();
                results.Add(false);
                errors.Add(failure.ToExecuteError(call.Method));
            }
            else
            {
                results.Add(result.Value!);
            }
        }

        if (errors.Count > 0)
        {
            errors.Add(errors[^1] with { Method = "execute" });
        }

        object response = script.ReturnsArray ? results : results[0];
        return VkEnvelope.Success(response, errors.Count > 0 ? errors : null);
    }

    /// <summary>messages.send with peer_id (or user_id, chat_id) answers a message id; with peer_ids, one item per peer.</summary>
    private static VkCallResult Send(IReadOnlyDictionary<string, string> parameters, (int Major, int Minor) version, VkState state)
    {
        if (!TryReadRecipients(parameters, out var peerIds, out var isBatch, out var recipientFailure))
        {
            return VkCallResult.Fail(recipientFailure);
        }

        long randomId = 0;
        if (parameters.TryGetValue("random_id", out var rawRandomId) && rawRandomId.Length > 0)
        {
            if (!long.TryParse(rawRandomId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out randomId))
            {
                return VkCallResult.Fail(VkErrors.InvalidParameter("random_id not integer"));
            }
        }
        else if (version.CompareTo(RandomIdRequiredSince) >= 0)
        {
            return VkCallResult.Fail(VkErrors.InvalidParameter("random_id is a required parameter"));
        }

        var text = parameters.GetValueOrDefault("message") ?? "";
        if (text.Length == 0 && string.IsNullOrEmpty(parameters.GetValueOrDefault("attachment")))
        {
            return VkCallResult.Fail(VkErrors.InvalidParameter("message is empty or invalid"));
        }

        if (text.Length > MaxMessageLength)
        {
            return VkCallResult.Fail(VkErrors.MessageTooLong);
        }

        if (!isBatch)
        {
            var outcome = state.Send(peerIds[0], randomId, text);
            return outcome.Failure is { } failure ? VkCallResult.Fail(failure) : VkCallResult.Ok(outcome.Delivery!.Value.MessageId);
        }

        var items = new VkSendItem[peerIds.Length];
        for (var i = 0; i < peerIds.Length; i++)
        {
            var outcome = state.Send(peerIds[i], randomId, text);
            if (outcome.Delivery is { } delivery)
            {
                items[i] = new VkSendItem(peerIds[i], delivery.MessageId, delivery.ConversationMessageId, null);
            }
            else
            {
                state.Counters.Errors.Add();
                items[i] = new VkSendItem(peerIds[i], null, null, outcome.Failure!.ToMessageError());
            }
        }

        return VkCallResult.Ok(items);
    }

    private static bool TryReadRecipients(
        IReadOnlyDictionary<string, string> parameters, out long[] peerIds, out bool isBatch, out VkFailure failure)
    {
        failure = VkErrors.InvalidParameter("you should specify peer_id, user_id, domain, chat_id or user_ids param");
        peerIds = [];
        isBatch = parameters.TryGetValue("peer_ids", out var list) && list.Length > 0;
        if (isBatch)
        {
            if (!IdList.TryParse(list, out peerIds))
            {
                failure = VkErrors.InvalidParameter("peer_ids not integer");
                return false;
            }

            if (peerIds.Length > MaxPeerIds)
            {
                failure = VkErrors.InvalidParameter("peer_ids is too long");
                return false;
            }

            return peerIds.Length > 0;
        }

        // user_id is the older single-recipient form; chat_id numbers chats from 2000000000 as peer ids do.
        foreach (var (name, offset) in new[] { ("peer_id", 0L), ("user_id", 0L), ("chat_id", 2_000_000_000L) })
        {
            if (!parameters.TryGetValue(name, out var raw) || raw.Length == 0)
            {
                continue;
            }

            if (!long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
            {
                failure = VkErrors.InvalidParameter($"{name} not integer");
                return false;
            }

            peerIds = [offset + id];
            return true;
        }

        return false;
    }

    /// <summary>
    /// VK takes parameters from the query string and from urlencoded or multipart bodies. A JSON body, or any other
    /// kind, carries none: VK does not read it, so such a request arrives without access_token.
    /// </summary>
    private static async Task<OrderedDictionary<string, string>> ReadParametersAsync(HttpRequest request)
    {
        var parameters = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Query)
        {
            parameters[name] = value.ToString();
        }

        if (!request.HasFormContentType)
        {
            return parameters;
        }

        try
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            foreach (var (name, value) in form)
            {
                parameters[name] = value.ToString();
            }
        }
        catch (InvalidDataException)
        {
            // A body that does not parse as a form carries no parameters, like a JSON one.
        }

        return parameters;
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>"5.199" is major 5, minor 199: versions compare by number, not as decimals.</summary>
    private static bool TryParseVersion(string text, out (int Major, int Minor) version)
    {
        version = default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0
            || !int.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }

        version = (major, minor);
        return true;
    }

    /// <summary>
    /// request_params as VK echoes them: method, oauth=1, v, then the other parameters in the order sent; the
    /// access_token is never echoed.
    /// </summary>
    private static List<VkRequestParam> RequestParams(string method, OrderedDictionary<string, string> parameters)
    {
        List<VkRequestParam> echoed = [new("method", method), new("oauth", "1")];
        if (parameters.TryGetValue("v", out var version))
        {
            echoed.Add(new VkRequestParam("v", version));
        }

        foreach (var (key, value) in parameters)
        {
            if (key is not ("access_token" or "v" or "method" or "oauth"))
            {
                echoed.Add(new VkRequestParam(key, value));
            }
        }

        return echoed;
    }

    private static async Task<Results<JsonHttpResult<VkEnvelope>, ContentHttpResult, EmptyHttpResult>> InjectFaultAsync(
        VkFaultMode fault, TimeProvider time, CancellationToken requestAborted, CancellationToken stopping)
    {
        if (fault == VkFaultMode.Http500)
        {
            return TypedResults.Content(
                ProxyFaults.ErrorPage("500 Internal Server Error"), "text/html", statusCode: StatusCodes.Status500InternalServerError);
        }

        return await ProxyFaults.HangAsync(time, requestAborted, stopping) is { } page ? page : TypedResults.Empty;
    }


    /// <summary>What one method call produced: a response value, or the error it raised.</summary>
    private readonly record struct VkCallResult(object? Value, VkFailure? Failure)
    {
        public static VkCallResult Ok(object value) => new(value, null);

        public static VkCallResult Fail(VkFailure failure) => new(null, failure);
    }
}
