using Microsoft.AspNetCore.Http.HttpResults;

namespace Ada.Sandbox;

/// <summary>What the reverse proxy in front of a provider answers when the provider fails or hangs: nginx's pages.</summary>
public static class ProxyFaults
{
    /// <summary>Longer than the couriers' request timeouts, as a provider that has stopped answering.</summary>
    public static readonly TimeSpan HangFor = TimeSpan.FromSeconds(65);

    /// <summary>
    /// Holds the request, then gives the 504 page a proxy would; null when the client or the sandbox went away first.
    /// </summary>
    public static async Task<ContentHttpResult?> HangAsync(TimeProvider time, CancellationToken requestAborted, CancellationToken stopping)
    {
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping);
        try
        {
            await Task.Delay(HangFor, time, hang.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        return TypedResults.Content(ErrorPage("504 Gateway Time-out"), "text/html", statusCode: StatusCodes.Status504GatewayTimeout);
    }

    public static string ErrorPage(string status) => $"""
        <html>
        <head><title>{status}</title></head>
        <body>
        <center><h1>{status}</h1></center>
        <hr><center>nginx</center>
        </body>
        </html>

        """;
}
