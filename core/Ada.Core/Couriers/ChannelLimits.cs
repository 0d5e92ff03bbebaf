namespace Ada.Core.Couriers;

/// <summary>
/// What a channel accepts, published by its couriers at start (<c>limits:&lt;channel&gt;</c>) so the API can
/// refuse a text at queue time without hard-coding any channel. Null means no limit.
/// </summary>
public sealed record ChannelLimits(int? MaxTextLength = null, int? MaxSmsSegments = null);
