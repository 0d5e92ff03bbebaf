using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Ada.Core.Redis;

/// <summary>The Lua scripts of <c>lua/</c>, embedded in this assembly; one per operation.</summary>
public enum Script
{
    QuotaTake,
    Enqueue,
    Claim,
    Renew,
    Report,
    Cancel,
    Reschedule,
    SendNow,
    RateTake,
    DeactivateContact,
    ActivateContact,
    LinkVk,
    LinkTelegram,
    Lease,
    UpdateReceipt,
    ScheduleCreate,
    ScheduleAdvance,
    ScheduleState,
    ScheduleDelete,
    RescheduleWaves,
}

/// <summary>
/// Runs Ada's Lua scripts by SHA (EVALSHA). Redis forgets loaded scripts when it restarts or fails
/// over; the NOSCRIPT answer is then handled here by sending the script body once (EVAL), which
/// loads it again, so callers never see it.
/// </summary>
public sealed class AdaScripts
{
    private readonly Dictionary<Script, (string Body, byte[] Sha)> _scripts = [];

    public AdaScripts()
    {
        var shared = string.Join("\n", Read("_history"), Read("_quota"), Read("_tick"), Read("_link"));
        foreach (var script in Enum.GetValues<Script>())
        {
            var body = shared + "\n" + Read(FileName(script));
#pragma warning disable CA5350 // Redis names scripts by their SHA-1; this is an identifier, not security.
            _scripts[script] = (body, SHA1.HashData(Encoding.UTF8.GetBytes(body)));
#pragma warning restore CA5350
        }
    }

    public string Body(Script script) => _scripts[script].Body;

    public async Task<RedisResult> RunAsync(IDatabaseAsync db, Script script, RedisKey[] keys, RedisValue[] args)
    {
        var (body, sha) = _scripts[script];
        try
        {
            return await db.ScriptEvaluateAsync(sha, keys, args);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(body, keys, args);
        }
    }

    /// <summary>
    /// SCRIPT LOAD of every script on every primary, so their first use is one EVALSHA instead of a NOSCRIPT
    /// answer and a second round trip with the whole body (a warm-up; NOSCRIPT stays handled in <see cref="RunAsync"/>).
    /// </summary>
    public async Task LoadAllAsync(IConnectionMultiplexer mux)
    {
        foreach (var server in mux.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            foreach (var (body, _) in _scripts.Values)
            {
                await server.ScriptLoadAsync(body);
            }
        }
    }

    private static string FileName(Script script) => script switch
    {
        Script.QuotaTake => "quota_take",
        Script.SendNow => "send_now",
        Script.RescheduleWaves => "reschedule_waves",
        Script.RateTake => "rate_take",
        Script.DeactivateContact => "deactivate_contact",
        Script.ActivateContact => "activate_contact",
        Script.LinkVk => "link_vk",
        Script.LinkTelegram => "link_telegram",
        Script.UpdateReceipt => "update_receipt",
        Script.ScheduleCreate => "schedule_create",
        Script.ScheduleAdvance => "schedule_advance",
        Script.ScheduleState => "schedule_state",
        Script.ScheduleDelete => "schedule_delete",
        _ => script.ToString().ToLowerInvariant(),
    };

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"lua/{name}.lua")
            ?? throw new InvalidOperationException($"lua/{name}.lua is not embedded in Ada.Core");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
