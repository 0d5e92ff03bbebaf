namespace Ada.Testing;

/// <summary>
/// The sandbox's control token as the tests use it: a sandbox refuses to start without
/// <c>Sandbox__ControlToken</c>, and everything under <c>/sandbox/</c> needs it in the <c>X-Sandbox-Token</c> header.
/// </summary>
public static class SandboxControl
{
    /// <summary>The environment variable (and configuration key with <c>__</c>) the sandbox reads.</summary>
    public const string Variable = AdaProcesses.SandboxTokenVariable;
    public const string Header = AdaProcesses.SandboxTokenHeader;
    public const string Token = "test-sandbox-control-token";

    /// <summary>The client, sending the control token on every request.</summary>
    public static HttpClient Authorized(this HttpClient http)
    {
        http.DefaultRequestHeaders.Add(Header, Token);
        return http;
    }
}
