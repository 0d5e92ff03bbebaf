namespace Ada.Sandbox.Sms;

/// <summary>Which API took a message; each lists only its own messages and webhooks, as on the real gateway.</summary>
public enum GatewaySource
{
    Local,
    Cloud,
}

/// <summary>The gateway's ProcessingState names, as its JSON spells them.</summary>
public static class ProcessingState
{
    public const string Pending = "Pending";
    public const string Processed = "Processed";
    public const string Sent = "Sent";
    public const string Delivered = "Delivered";
    public const string Failed = "Failed";
}

/// <summary>One number of a message. PhoneNumber is as the API shows it; E164 is null when the phone cannot use it.</summary>
public sealed class GatewayRecipient(string phoneNumber, string? e164)
{
    public string PhoneNumber { get; } = phoneNumber;

    public string? E164 { get; } = e164;

    public string State { get; set; } = ProcessingState.Pending;

    public string? Error { get; set; }
}

public sealed record GatewayRecipientSnapshot(string PhoneNumber, string State, string? Error);

/// <summary>States holds when the message as a whole first reached each state, in order.</summary>
public sealed record GatewayMessageSnapshot(
    string Id,
    string State,
    bool IsEncrypted,
    IReadOnlyList<GatewayRecipientSnapshot> Recipients,
    IReadOnlyList<KeyValuePair<string, DateTimeOffset>> States);

/// <summary>
/// A message the Android gateway accepted, and how far each of its numbers got. The whole message's state follows
/// the app's rules: any recipient pending → Pending, all delivered → Delivered, all failed → Failed, otherwise Sent.
/// </summary>
public sealed class GatewayMessage
{
    private readonly Lock gate = new();
    private readonly List<KeyValuePair<string, DateTimeOffset>> states = [];

    public GatewayMessage(
        string id,
        GatewaySource source,
        string text,
        bool isEncrypted,
        int? simNumber,
        bool withDeliveryReport,
        IReadOnlyList<GatewayRecipient> recipients,
        DateTimeOffset createdAt)
    {
        Id = id;
        Source = source;
        Text = text;
        IsEncrypted = isEncrypted;
        SimNumber = simNumber;
        WithDeliveryReport = withDeliveryReport;
        Recipients = recipients;
        states.Add(new(ProcessingState.Pending, createdAt));
    }

    public string Id { get; }

    public GatewaySource Source { get; }

    public string Text { get; }

    public bool IsEncrypted { get; }

    public int? SimNumber { get; }

    public bool WithDeliveryReport { get; }

    public IReadOnlyList<GatewayRecipient> Recipients { get; }

    public int PartsCount => SmsSegments.Count(Text);

    public void Update(GatewayRecipient recipient, string state, string? error, DateTimeOffset at)
    {
        lock (gate)
        {
            recipient.State = state;
            recipient.Error = error;
            var whole = WholeState();
            if (!states.Exists(entry => entry.Key == whole))
            {
                states.Add(new(whole, at));
            }
        }
    }

    public GatewayMessageSnapshot Snapshot()
    {
        lock (gate)
        {
            return new GatewayMessageSnapshot(
                Id,
                WholeState(),
                IsEncrypted,
                [.. Recipients.Select(r => new GatewayRecipientSnapshot(r.PhoneNumber, r.State, r.Error))],
                [.. states]);
        }
    }

    private string WholeState()
    {
        bool Any(string state) => Recipients.Any(r => r.State == state);
        bool All(string state) => Recipients.All(r => r.State == state);

        return Any(ProcessingState.Pending) ? ProcessingState.Pending
            : Any(ProcessingState.Processed) ? ProcessingState.Processed
            : All(ProcessingState.Delivered) ? ProcessingState.Delivered
            : All(ProcessingState.Failed) ? ProcessingState.Failed
            : ProcessingState.Sent;
    }
}
