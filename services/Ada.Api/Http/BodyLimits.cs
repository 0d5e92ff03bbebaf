using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Ada.Api.Http;

/// <summary>An endpoint's largest request body, in bytes (<see cref="BodyLimits"/>).</summary>
public sealed record BodyLimit(long Bytes) : IRequestSizeLimitMetadata
{
    long? IRequestSizeLimitMetadata.MaxRequestBodySize => Bytes;
}

/// <summary>
/// Every endpoint reads at most the body it needs: <see cref="Default"/> unless it declares another
/// (<see cref="WithBodyLimit{TBuilder}"/>). A declared <c>Content-Length</c> over the limit is answered 413 before
/// a byte is read; a chunked body is cut off at the limit (Kestrel's own limit is set to the same value,
/// and the body stream enforces it where the server has no such limit), and the 413 is a problem detail.
/// </summary>
public static class BodyLimits
{
    public const long Default = 16 * 1024;
    /// <summary>Webhooks of providers (VK, SMS gateway, Telegram): their events are small.</summary>
    public const long Webhook = 64 * 1024;
    /// <summary><c>POST /v1/queue</c>: a text of 10,000 characters and the lists a staff member may send to.</summary>
    public const long Queue = 4 * 1024 * 1024;
    /// <summary>One user, group or supergroup.</summary>
    public const long DirectoryItem = 4 * 1024 * 1024;
    /// <summary>A bulk import of a whole university.</summary>
    public const long Import = 64 * 1024 * 1024;

    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));

    /// <summary>Applies the endpoint's limit; after routing, before anything reads the body.</summary>
    public static IApplicationBuilder UseBodyLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? Default;
        if (context.Request.ContentLength > limit)
        {
            await WriteTooLargeAsync(context, limit);
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }
        context.Request.Body = new LimitedStream(context.Request.Body, limit);
        await next(context);
    });

    public static string TooLarge(long limit) =>
        $"The request body is larger than this endpoint takes ({limit:N0} bytes); send less.";

    private static async Task WriteTooLargeAsync(HttpContext context, long limit)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        // The unread body is not worth draining: close the connection after the answer.
        context.Response.Headers.Connection = "close";
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status413PayloadTooLarge, Detail = TooLarge(limit) },
        });
    }

    /// <summary>Reading past the limit throws the same 413 <see cref="BadHttpRequestException"/> Kestrel throws.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            _read += read;
            return _read > limit ? throw new BadHttpRequestException(TooLarge(limit), StatusCodes.Status413PayloadTooLarge) : read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>A body that could not be read (too large, cut off, malformed framing): its 4xx as a problem, never a 500.</summary>
public sealed class BadRequestBodyHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = bad.StatusCode, Detail = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? bad.Message : "The request body could not be read." },
        });
    }
}
