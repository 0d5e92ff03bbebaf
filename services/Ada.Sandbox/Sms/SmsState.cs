using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox.Sms;

/// <summary>What happens to a text sent to a number, on either gateway.</summary>
public enum SmsNumberState
{
    Ok,

    /// <summary>The phone (or SMS.ru) refuses to send: no inbox entry.</summary>
    FailSend,

    /// <summary>Sent and in the inbox, but the delivery report says it never arrived.</summary>
    FailDelivery,
}

/// <summary>
/// What the Android gateway's send routes do after they accepted a message (it is queued, sent and reported as usual):
/// the answer is lost on the way back, as when a proxy or the network fails after the gateway took the request.
/// </summary>
public enum SmsGatewayFaultMode
{
    None,

    /// <summary>The answer is held like a hung proxy (504 page after <see cref="ProxyFaults.HangFor"/>, or the client gives up first).</summary>
    AcceptThenTimeout,

    /// <summary>The answer is a proxy's 502 page instead of the 202.</summary>
    AcceptThenError502,
}

public sealed record SmsCountersSnapshot(long Requests, long Sent, long Failed, long WebhooksFired);

/// <summary>
/// Requests counts HTTP calls to either gateway's API; Sent the texts that reached a recipient's inbox; Failed the
/// recipients whose text ended failed (refused, or a failed delivery report); WebhooksFired every webhook attempt.
/// </summary>
public sealed class SmsCounters
{
    public Counter Requests { get; } = new();
    public Counter Sent { get; } = new();
    public Counter Failed { get; } = new();
    public Counter WebhooksFired { get; } = new();

    public SmsCountersSnapshot Snapshot() => new(Requests.Value, Sent.Value, Failed.Value, WebhooksFired.Value);
}

/// <summary>A text SMS.ru took for one number; its status is worked out from the time (see <see cref="SmsRuApi"/>).</summary>
public sealed record SmsRuMessage(string SmsId, string PhoneNumber, bool WillBeDelivered, DateTimeOffset SentAt);

/// <summary>
/// The sandboxed SMS world shared by both gateways: what each number does with a text, the texts the Android
/// gateway holds (by its message id) and the ones SMS.ru holds (by sms_id), and the counters.
/// </summary>
public sealed class SmsState
{
    public const string Channel = "sms";

    private readonly ConcurrentDictionary<string, Number> numbers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GatewayMessage> gatewayMessages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SmsRuMessage> smsRuMessages = new(StringComparer.Ordinal);
    private readonly Inbox inbox;
    private readonly TimeProvider time;
    private long lastSmsRuId = 10_000_000;

    public SmsState(IOptions<SmsOptions> options, Inbox inbox, TimeProvider time)
    {
        this.inbox = inbox;
        this.time = time;
        GatewayFault = new(time);

        var settings = options.Value;
        SetNumberStates(settings.FailSendNumbers, SmsNumberState.FailSend);
        SetNumberStates(settings.FailDeliveryNumbers, SmsNumberState.FailDelivery);
    }

    public SmsCounters Counters { get; } = new();

    /// <summary>What the Android gateway's send routes do after they accepted a message, switched by <c>PUT /sandbox/sms/fault</c>.</summary>
    public ProviderFault<SmsGatewayFaultMode> GatewayFault { get; }

    /// <param name="phoneNumber">E.164.</param>
    public SmsNumberState GetNumberState(string phoneNumber) =>
        numbers.TryGetValue(phoneNumber, out var number) ? number.State : SmsNumberState.Ok;

    /// <param name="phoneNumber">E.164.</param>
    public void SetNumberState(string phoneNumber, SmsNumberState state) => GetNumber(phoneNumber).State = state;

    /// <summary>Puts the text in the number's inbox, numbered per number from 1, as the phone would show it.</summary>
    /// <param name="phoneNumber">E.164: the inbox chat id.</param>
    public InboxMessage Deliver(string phoneNumber, string text, string providerMessageId)
    {
        var number = GetNumber(phoneNumber);
        lock (number.Gate)
        {
            var message = new InboxMessage(
                Channel, phoneNumber, ++number.LastMessageId, text, TruncateToMilliseconds(time.GetUtcNow()), providerMessageId);
            inbox.Add(message);
            Counters.Sent.Add();
            return message;
        }
    }

    /// <summary>
    /// False when the same side (the phone's local server or the cloud) already has a message with this id (the
    /// client's or a generated one); the two are separate systems, each with its own ids.
    /// </summary>
    public bool TryAdd(GatewayMessage message) => gatewayMessages.TryAdd(GatewayKey(message.Source, message.Id), message);

    public GatewayMessage? FindGatewayMessage(GatewaySource source, string id) => gatewayMessages.GetValueOrDefault(GatewayKey(source, id));

    /// <summary>SMS.ru ids look like "000000-10000001".</summary>
    public string NextSmsRuId() =>
        "000000-" + Interlocked.Increment(ref lastSmsRuId).ToString(CultureInfo.InvariantCulture);

    public void Add(SmsRuMessage message) => smsRuMessages[message.SmsId] = message;

    public SmsRuMessage? FindSmsRuMessage(string smsId) => smsRuMessages.GetValueOrDefault(smsId);

    private static string GatewayKey(GatewaySource source, string id) => $"{source}\n{id}";

    private Number GetNumber(string phoneNumber) => numbers.GetOrAdd(phoneNumber, static _ => new Number());

    private void SetNumberStates(string? list, SmsNumberState state)
    {
        if (!PhoneNumber.TryParseList(list, out var parsed))
        {
            throw new InvalidOperationException($"Phone numbers '{list}' passed options validation but do not parse.");
        }

        foreach (var phoneNumber in parsed)
        {
            SetNumberState(phoneNumber, state);
        }
    }

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    private sealed class Number
    {
        public Lock Gate { get; } = new();

        public volatile SmsNumberState State;

        public long LastMessageId;
    }
}
