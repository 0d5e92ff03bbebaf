using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ada.Core.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Ada.Api.Http;

/// <summary>
/// A JSON request body read by the API itself rather than by Minimal API binding, whose failures are a
/// bare 400: here every failure is a problem whose detail names the field (<c>to.users[1]</c>) and what
/// was expected. Binding never fails; the handler returns <see cref="Problem"/> when it is set.
/// </summary>
public sealed record JsonBody<T>(T? Value, ProblemHttpResult? Problem)
    : IBindableFromHttpContext<JsonBody<T>>, IEndpointParameterMetadataProvider
    where T : class
{
#pragma warning disable CA1000 // Minimal APIs call these two static members of the binding interfaces.
    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return Fail(StatusCodes.Status415UnsupportedMediaType,
                $"The body must be JSON sent with 'Content-Type: application/json' (got {Validation.Echo(request.ContentType ?? "none")}).");
        }
        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            bytes = buffer.ToArray();
        }
        catch (BadHttpRequestException e)
        {
            return Fail(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? e.Message : $"The body could not be read: {e.Message}");
        }
        ReadOnlySpan<byte> json = bytes;
        if (json.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Fail(StatusCodes.Status400BadRequest, "The body is empty; expected a JSON object.");
        }
        try
        {
            var value = JsonSerializer.Deserialize<T>(json, AdaJson.Options);
            return value is null
                ? Fail(StatusCodes.Status400BadRequest, "The body is null; expected a JSON object.")
                : new JsonBody<T>(value, null);
        }
        catch (JsonException e)
        {
            return Fail(StatusCodes.Status400BadRequest, JsonErrors.Describe(e, typeof(T)));
        }
        catch (InvalidOperationException e)
        {
            // Text the reader cannot turn into a string (broken UTF-8, unpaired surrogates).
            return Fail(StatusCodes.Status400BadRequest, $"The body is not valid JSON text: {e.Message}");
        }
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new AcceptsMetadata(["application/json"], typeof(T)));
#pragma warning restore CA1000

    private static JsonBody<T> Fail(int status, string detail) => new(default, Problems.Problem(status, detail));
}

internal static partial class JsonErrors
{
    /// <summary>System.Text.Json's message, reworded for a client: the field, what was expected there, where.</summary>
    public static string Describe(JsonException e, Type body)
    {
        var path = e.Path is null or "$" ? "" : e.Path.TrimStart('$').TrimStart('.');
        var at = e.LineNumber is { } line && e.BytePositionInLine is { } position
            ? $" (line {line + 1}, byte {position + 1})"
            : "";
        if (e.InnerException is InvalidOperationException unreadable && unreadable.Message.Contains("UTF-", StringComparison.Ordinal))
        {
            // Valid JSON whose string cannot become .NET text, e.g. an escaped unpaired surrogate ("\ud800").
            var field = path.Length == 0 ? "The body" : $"'{path}'";
            return $"{field} holds text that cannot be read{at}: {unreadable.Message}";
        }
        if (e.Message.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal))
        {
            var expected = Expected(TypeAt(body, path));
            return path.Length == 0 ? $"The body must be {expected}{at}." : $"'{path}' must be {expected}{at}.";
        }
        var message = e.Message;
        var pathStart = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (pathStart >= 0)
        {
            message = message[..pathStart];
        }
        return $"The body is not valid JSON{(path.Length == 0 ? "" : $" at '{path}'")}{at}: {message}";
    }

    /// <summary>The declared type at a JSON path such as <c>to.users[0]</c>, found by walking the body's properties.</summary>
    private static Type? TypeAt(Type root, string path)
    {
        Type? type = root;
        foreach (Match segment in PathSegment().Matches(path))
        {
            if (type is null)
            {
                return null;
            }
            if (segment.Groups["index"].Success)
            {
                type = ElementType(type);
                continue;
            }
            var name = segment.Groups["name"].Value;
            type = ElementType(type) is { } valueType && type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>)
                ? valueType
                : type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType;
        }
        return type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType ? type.GetGenericArguments()[^1]
        : null;

    private static string Expected(Type? type) => type switch
    {
        null => "a value of another type",
        _ when type == typeof(string) => "a string",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) => "an integer",
        _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) => "a JSON object",
        _ when type.IsArray || typeof(System.Collections.IEnumerable).IsAssignableFrom(type) => "a JSON array",
        _ => "a JSON object",
    };

    [GeneratedRegex(@"(?<name>[^.\[\]]+)|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();
}
