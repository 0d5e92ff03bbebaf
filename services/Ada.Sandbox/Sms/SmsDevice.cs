using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Ada.Sandbox.Sms;

/// <summary>
/// The phone behind the Android gateway: sends what the API accepted (into the inbox unless the number is set to
/// fail), then reports like the app — sms:sent (or sms:failed) at once, and after the delivery delay
/// sms:delivered or sms:failed — and passes texts written to it on as sms:received.
/// </summary>
public sealed class SmsDevice(
    SmsState state,
    SmsWebhooks webhooks,
    IOptions<SmsOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<SmsDevice> logger)
{
    /// <summary>The app's error for a send the radio refused (MessagesService: "Send result: " + the result code).</summary>
    public const string SendFailure = "Send result: RESULT_ERROR_GENERIC_FAILURE (Generic failure cause)";

    /// <summary>
    /// The app's error for a delivery report with a permanent-error TP-Status (0x40 and above, GSM 03.40) from the
    /// service centre; the centre's address here is made up.
    /// </summary>
    public const string DeliveryFailure = "Delivery result from SC +79000000000: 64";

    /// <summary>The app's prefix for a message it could not send at all; the phone-number wording is the sandbox's.</summary>
    public const string InvalidNumberFailure = "Can't send message: Invalid phone number";

    /// <summary>Null when a message with this id already exists.</summary>
    public GatewayMessage? Send(
        string? id,
        GatewaySource source,
        string text,
        bool isEncrypted,
        int? simNumber,
        bool withDeliveryReport,
        IReadOnlyList<GatewayRecipient> recipients)
    {
        var now = time.GetUtcNow();
        var message = new GatewayMessage(id ?? NanoId.New(), source, text, isEncrypted, simNumber, withDeliveryReport, recipients, now);
        if (!state.TryAdd(message))
        {
            return null;
        }

        var failsDelivery = new HashSet<GatewayRecipient>();
        foreach (var recipient in recipients)
        {
            var numberState = recipient.E164 is { } e164 ? state.GetNumberState(e164) : SmsNumberState.FailSend;
            if (numberState == SmsNumberState.FailSend)
            {
                message.Update(recipient, ProcessingState.Failed, recipient.E164 is null ? InvalidNumberFailure : SendFailure, now);
                state.Counters.Failed.Add();
                continue;
            }

            state.Deliver(recipient.E164!, text, message.Id);
            message.Update(recipient, ProcessingState.Sent, null, now);
            if (numberState == SmsNumberState.FailDelivery)
            {
                failsDelivery.Add(recipient);
            }
        }

        RunInBackground(stopping => ReportAsync(message, failsDelivery, now, stopping));
        return message;
    }

    /// <summary>A text written to the phone: fires sms:received now and returns how each receiver answered.</summary>
    /// <param name="from">E.164.</param>
    public Task<IReadOnlyList<SmsWebhookAttempt>> ReceiveAsync(string from, string text, int? simNumber, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var payload = new SmsWebhookPayload(
            ContentId(from, text, now),
            from,
            Message: text,
            Sender: from,
            Recipient: options.Value.DevicePhoneNumber,
            SimNumber: simNumber ?? 1,
            ReceivedAt: DeviceTime(now));
        return webhooks.FireAsync(SmsWebhookEvents.Received, payload, cancellationToken);
    }

    /// <summary>Runs the action once the delivery delay has passed (SMS.ru's failed reports are counted then).</summary>
    public void AfterDeliveryDelay(Action action) => RunInBackground(async stopping =>
    {
        await Task.Delay(TimeSpan.FromMilliseconds(options.Value.DeliveryDelayMilliseconds), time, stopping);
        action();
    });

    public TimeSpan DeliveryDelay => TimeSpan.FromMilliseconds(options.Value.DeliveryDelayMilliseconds);

    /// <summary>As the app's Gson writes dates: yyyy-MM-dd'T'HH:mm:ss.SSSXXX in the device's zone ("Z" at UTC).</summary>
    public string DeviceTime(DateTimeOffset instant)
    {
        var local = instant.ToOffset(TimeSpan.FromMinutes(options.Value.DeviceUtcOffsetMinutes));
        var offset = local.Offset == TimeSpan.Zero ? "Z" : local.ToString("zzz", CultureInfo.InvariantCulture);
        return local.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + offset;
    }

    private async Task ReportAsync(
        GatewayMessage message, HashSet<GatewayRecipient> failsDelivery, DateTimeOffset sentAt, CancellationToken stopping)
    {
        foreach (var recipient in message.Recipients)
        {
            if (recipient.State == ProcessingState.Failed)
            {
                await webhooks.FireAsync(
                    SmsWebhookEvents.Failed,
                    Outgoing(message, recipient) with { FailedAt = DeviceTime(sentAt), Reason = recipient.Error },
                    stopping);
            }
            else
            {
                await webhooks.FireAsync(
                    SmsWebhookEvents.Sent,
                    Outgoing(message, recipient) with { PartsCount = message.PartsCount, SentAt = DeviceTime(sentAt) },
                    stopping);
            }
        }

        var sent = message.Recipients.Where(r => r.State == ProcessingState.Sent).ToList();
        if (!message.WithDeliveryReport || sent.Count == 0)
        {
            return;
        }

        await Task.Delay(DeliveryDelay, time, stopping);
        foreach (var recipient in sent)
        {
            var now = time.GetUtcNow();
            if (failsDelivery.Contains(recipient))
            {
                message.Update(recipient, ProcessingState.Failed, DeliveryFailure, now);
                state.Counters.Failed.Add();
                await webhooks.FireAsync(
                    SmsWebhookEvents.Failed,
                    Outgoing(message, recipient) with { FailedAt = DeviceTime(now), Reason = DeliveryFailure },
                    stopping);
            }
            else
            {
                message.Update(recipient, ProcessingState.Delivered, null, now);
                await webhooks.FireAsync(
                    SmsWebhookEvents.Delivered, Outgoing(message, recipient) with { DeliveredAt = DeviceTime(now) }, stopping);
            }
        }
    }

    private SmsWebhookPayload Outgoing(GatewayMessage message, GatewayRecipient recipient) => new(
        message.Id,
        recipient.PhoneNumber,
        Sender: options.Value.DevicePhoneNumber,
        Recipient: recipient.PhoneNumber,
        SimNumber: message.SimNumber);

    /// <summary>The app derives an incoming message's id from its content, so it is not unique; this one does the same.</summary>
    private static string ContentId(string from, string text, DateTimeOffset receivedAt) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{from}\n{receivedAt.ToUnixTimeMilliseconds()}\n{text}")))[..16];

    private void RunInBackground(Func<CancellationToken, Task> work)
    {
        var stopping = lifetime.ApplicationStopping;
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await work(stopping);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    logger.LogError(e, "SMS gateway background work failed");
                }
            },
            CancellationToken.None);
    }
}
