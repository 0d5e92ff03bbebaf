using System.Security.Cryptography;
using System.Text;
using Ada.Api.Messages;
using Ada.Core;
using Ada.Core.Messages;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ada.Api.Sms;

/// <summary>A message waiting for its confirmation: who sent it and the request as it will be queued.</summary>
public sealed record PendingSms(string SenderId, QueueBody Body);

/// <summary>
/// Messages sent by SMS to more than <c>Sms:ConfirmAbove</c> people wait for <c>YES code</c> / <c>ДА code</c>
/// from the same number: an SMS's originator can be forged, and the forger does not receive Ada's answer with
/// the code. One pending message per number (a new one replaces it), at <c>smsconfirm:{number}</c> for
/// <c>Sms:ConfirmMinutes</c>; the code is stored as its SHA-256. <see cref="TakeAsync"/> removes the pending
/// message only when the code matches, in one transaction, so two confirmations queue it once.
/// </summary>
public sealed class SmsConfirmations(IConnectionMultiplexer mux, IOptions<SmsOptions> options)
{
    private const string CodeField = "code";
    private const string SenderField = "sender";
    private const string BodyField = "body";

    public TimeSpan Lifetime => TimeSpan.FromMinutes(options.Value.ConfirmMinutes);

    /// <summary>Keeps <paramref name="pending"/> for <paramref name="phone"/>, replacing any older one; returns its code.</summary>
    public async Task<string> PutAsync(string phone, PendingSms pending)
    {
        var code = RandomNumberGenerator.GetString(ShortIds.Alphabet, ShortIds.Length);
        var key = Keys.SmsConfirmation(phone);
        var tx = mux.GetDatabase().CreateTransaction();
        _ = tx.KeyDeleteAsync(key);
        _ = tx.HashSetAsync(key, [
            new(CodeField, Hash(code)), new(SenderField, pending.SenderId), new(BodyField, AdaJson.Serialize(pending.Body))]);
        _ = tx.KeyExpireAsync(key, Lifetime);
        await tx.ExecuteAsync();
        return code;
    }

    /// <summary>
    /// The pending message of <paramref name="phone"/>'s sender <paramref name="senderId"/>, removed, when
    /// <paramref name="typed"/> is its code; <see cref="SmsConfirmation.None"/> when nothing waits (or it expired),
    /// <see cref="SmsConfirmation.WrongCode"/> when the code is wrong (the message keeps waiting).
    /// </summary>
    public async Task<(SmsConfirmation Outcome, PendingSms? Pending)> TakeAsync(string phone, string senderId, string typed)
    {
        var db = mux.GetDatabase();
        var key = Keys.SmsConfirmation(phone);
        var fields = await db.HashGetAsync(key, [CodeField, SenderField, BodyField]);
        if (fields[0].IsNull || fields[1] != senderId || AdaJson.Deserialize<QueueBody>(fields[2].ToString()) is not { } body)
        {
            return (SmsConfirmation.None, null);
        }
        if (ShortIds.Normalize(typed) is not { } code
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(code)), Encoding.ASCII.GetBytes(fields[0].ToString())))
        {
            return (SmsConfirmation.WrongCode, null);
        }
        // Only the confirmation that removes it queues it: a second one (another envelope, another instance) finds nothing.
        var tx = db.CreateTransaction();
        tx.AddCondition(Condition.HashEqual(key, CodeField, fields[0]));
        _ = tx.KeyDeleteAsync(key);
        return await tx.ExecuteAsync() ? (SmsConfirmation.Taken, new PendingSms(senderId, body)) : (SmsConfirmation.None, null);
    }

    private static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(code)));
}

public enum SmsConfirmation
{
    None,
    WrongCode,
    Taken,
}
