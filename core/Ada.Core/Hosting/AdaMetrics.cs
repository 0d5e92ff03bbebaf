using Prometheus;

namespace Ada.Core.Hosting;

/// <summary>Ada's Prometheus metrics, shared by the API and the couriers.</summary>
public static class AdaMetrics
{
    public static readonly Counter MessagesQueued = Metrics.CreateCounter(
        "ada_messages_queued_total", "Messages accepted by the queue endpoint.", "origin");

    public static readonly Counter Recipients = Metrics.CreateCounter(
        "ada_recipients_total", "Recipients handled by couriers, by channel and outcome (sent, failed, no_contact).",
        "channel", "status");

    public static readonly Counter ProviderThrottles = Metrics.CreateCounter(
        "ada_provider_throttles_total", "Times a provider answered 'too many requests'.", "channel");

    public static readonly Counter ProviderErrors = Metrics.CreateCounter(
        "ada_provider_errors_total", "Transient provider or network errors (retried).", "channel");

    public static readonly Histogram DueToSendLag = Metrics.CreateHistogram(
        "ada_due_to_send_lag_seconds", "From a message's deliverAt to the first send in a channel.",
        new HistogramConfiguration
        {
            LabelNames = ["channel"],
            Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        });

    public static readonly Gauge MessagesSending = Metrics.CreateGauge(
        "ada_courier_messages_sending", "Messages this courier instance is sending now.", "channel");

    public static readonly Gauge ChannelInstances = Metrics.CreateGauge(
        "ada_channel_instances", "Courier instances of a registered channel with a heartbeat in the last 30 s (API).", "channel");

    public static readonly Gauge ChannelWaitingForCourier = Metrics.CreateGauge(
        "ada_channel_waiting_for_courier", "1 while a registered channel has no live courier: its messages wait (API).", "channel");
}
