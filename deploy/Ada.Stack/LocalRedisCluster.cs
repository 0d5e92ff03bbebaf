using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace Ada.Stack;

/// <summary>How a <see cref="LocalRedisCluster"/> runs.</summary>
public sealed record LocalRedisClusterOptions
{
    /// <summary>The primaries' ports (each with its cluster bus port, +10000); free pairs below 32768 when null.</summary>
    public IReadOnlyList<int>? Ports { get; init; }

    /// <summary>How many primaries when <see cref="Ports"/> is null (3, the least a Redis Cluster takes).</summary>
    public int Primaries { get; init; } = 3;

    /// <summary>Where node &lt;port&gt; keeps its files (AOF, nodes.conf), in &lt;root&gt;/&lt;port&gt;, kept after a stop; a temporary directory, deleted on dispose, when null.</summary>
    public string? Root { get; init; }

    /// <summary>A configuration file every node reads first (deploy/redis.conf for the local run).</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Arguments of every node after the cluster's own, e.g. <c>"--save", "", "--appendonly", "no"</c>.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>cluster-node-timeout: how long a node may be unreachable before the others call it failed.</summary>
    public int NodeTimeoutMilliseconds { get; init; } = 2000;

    public Launch Launch { get; init; } = Launch.InMemory;
}

/// <summary>
/// A real Redis Cluster of primaries (no replicas unless <see cref="AddReplicaAsync"/>), each a <c>redis-server</c> on
/// 127.0.0.1. The tests start one on free ports in a temporary directory; the local run starts one on its ports
/// with its data in .run/redis-cluster and, on later runs, brings back the cluster the nodes remember.
/// Slots can be moved between nodes and nodes added, the way an operator resharding a cluster does it.
/// A missing redis-server or redis-cli is an error that says what to install.
/// </summary>
public class LocalRedisCluster(LocalRedisClusterOptions options)
{
    public const int SlotCount = 16384;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    /// <summary>Ports handed out to nodes of any cluster in this process, so parallel starts never pick the same one.</summary>
    private static readonly HashSet<int> s_taken = [];

    private readonly List<Node> _nodes = [];
    /// <summary>Replica port → the port of its primary (empty unless <see cref="AddReplicaAsync"/> was used).</summary>
    private readonly Dictionary<int, int> _replicaOf = [];
    private string _root = "";

    public string Host => "127.0.0.1";

    /// <summary>The ports of the cluster's nodes in the order they were started: primaries, and replicas made by <see cref="AddReplicaAsync"/>.</summary>
    public IReadOnlyList<int> Ports
    {
        get
        {
            lock (_nodes)
            {
                return [.. _nodes.Select(n => n.Port)];
            }
        }
    }

    /// <summary>Every node as a seed, e.g. <c>127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3,abortConnect=false</c>.</summary>
    public string ConnectionString => string.Join(",", Ports.Select(p => $"{Host}:{p}")) + ",abortConnect=false";

    /// <summary>Where the nodes keep their files.</summary>
    public string Root => _root;

    /// <summary>Whether <see cref="StartAsync"/> created the cluster (false: the nodes remembered it from an earlier run).</summary>
    public bool Created { get; private set; }

    /// <summary>
    /// Starts every node; creates the cluster (<c>redis-cli --cluster create</c>) when none of them remembers one,
    /// or waits for the cluster they all remember. Anything else (the nodes of another cluster, an interrupted
    /// create) is an error, not a guess. Returns when every node agrees and every slot is served.
    /// </summary>
    public async Task StartAsync()
    {
        var cli = RedisNode.FindRedisCli();
        _root = options.Root ?? Path.Combine(Path.GetTempPath(), $"ada-cluster-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(_root);
        var started = Stopwatch.StartNew();
        if (options.Ports is { } fixedPorts)
        {
            await Task.WhenAll(fixedPorts.Select(p => StartNodeAsync(p)));
        }
        else
        {
            await Task.WhenAll(Enumerable.Range(0, options.Primaries).Select(_ => StartNodeAsync()));
        }
        var ports = Ports;
        var shapes = new List<string>();
        int fresh = 0, formed = 0;
        foreach (var port in ports)
        {
            var info = await InfoAsync(port);
            var known = info.GetValueOrDefault("cluster_known_nodes");
            var assigned = info.GetValueOrDefault("cluster_slots_assigned");
            shapes.Add($"{port} knows {known} node(s) and {assigned} slots");
            if (known == "1" && assigned == "0")
            {
                fresh++;
            }
            else if (known == ports.Count.ToString(CultureInfo.InvariantCulture) && assigned == SlotCount.ToString(CultureInfo.InvariantCulture))
            {
                formed++;
            }
        }
        if (fresh == ports.Count)
        {
            await RunCliAsync(cli, ["--cluster", "create", .. ports.Select(p => $"{Host}:{p}"), "--cluster-replicas", "0", "--cluster-yes"]);
            Created = true;
        }
        else if (formed != ports.Count)
        {
            throw new InvalidOperationException(
                $"The nodes in {_root} do not form one cluster of {ports.Count} primaries ({string.Join("; ", shapes)}): " +
                $"were they made with other ports or another number of primaries? Start with those, or delete {_root} for a new cluster.");
        }
        await WaitUntilHealthyAsync();
        StartDuration = started.Elapsed;
    }

    /// <summary>How long <see cref="StartAsync"/> took: processes, <c>--cluster create</c> and the wait for agreement.</summary>
    public TimeSpan StartDuration { get; private set; }

    /// <summary>Flushes every primary: an empty cluster.</summary>
    public async Task FlushAsync()
    {
        foreach (var port in Ports.Where(p => !IsReplica(p)))
        {
            await AdminAsync(port, "FLUSHALL");
        }
    }

    /// <summary>
    /// The hash slot of a key, as Redis computes it: CRC16 (XMODEM) of the key's UTF-8 bytes mod 16384, or of its
    /// hash tag only: the bytes between the first <c>{</c> and the next <c>}</c>, when there are any.
    /// </summary>
    public static int SlotOf(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var open = Array.IndexOf(bytes, (byte)'{');
        if (open >= 0)
        {
            var close = Array.IndexOf(bytes, (byte)'}', open + 1);
            if (close > open + 1)
            {
                bytes = bytes[(open + 1)..close];
            }
        }
        ushort crc = 0;
        foreach (var b in bytes)
        {
            crc ^= (ushort)(b << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }
        return crc % SlotCount;
    }

    /// <summary>The port of the node that serves the slot now, as the first node sees it.</summary>
    public async Task<int> PortOfSlotAsync(int slot)
    {
        var view = await NodesAsync(Ports[0]);
        return view.SingleOrDefault(n => n.Owns(slot))?.Port
            ?? throw new InvalidOperationException($"No node serves slot {slot}:\n{string.Join('\n', view)}");
    }

    /// <summary>Starts one more node, joins it to the cluster as a primary that owns no slots yet, and returns its port.</summary>
    public async Task<int> AddPrimaryAsync()
    {
        var cli = RedisNode.FindRedisCli();
        var seed = Ports[0];
        var node = await StartNodeAsync();
        await RunCliAsync(cli, ["--cluster", "add-node", $"{Host}:{node.Port}", $"{Host}:{seed}"]);
        await WaitUntilHealthyAsync();
        return node.Port;
    }

    /// <summary>Starts one more node as a replica of the primary at <paramref name="primaryPort"/>; returns once it is in sync.</summary>
    public async Task<int> AddReplicaAsync(int primaryPort)
    {
        var primary = (await NodesAsync(primaryPort)).Single(n => n.Port == primaryPort);
        var node = await StartNodeAsync();
        lock (_nodes)
        {
            _replicaOf[node.Port] = primaryPort;
        }
        await RunCliAsync(RedisNode.FindRedisCli(), ["--cluster", "add-node", $"{Host}:{node.Port}", $"{Host}:{primaryPort}",
            "--cluster-slave", "--cluster-master-id", primary.Id]);
        await WaitUntilHealthyAsync();
        await Eventually.WaitAsync(async () => (await AdminAsync(node.Port, "INFO", "replication")).ToString()
            .Contains("master_link_status:up", StringComparison.Ordinal), Settle, $"replica {node.Port} to be in sync");
        return node.Port;
    }

    /// <summary>
    /// A manual failover (<c>CLUSTER FAILOVER</c> on the replica): the replica becomes the primary of its slots, the old
    /// primary its replica; returns when every node agrees.
    /// </summary>
    public async Task FailoverAsync(int replicaPort)
    {
        int primaryPort;
        lock (_nodes)
        {
            primaryPort = _replicaOf[replicaPort];
            _replicaOf.Remove(replicaPort);
            _replicaOf[primaryPort] = replicaPort;
        }
        await AdminAsync(replicaPort, "CLUSTER", "FAILOVER");
        await WaitUntilHealthyAsync();
    }

    private bool IsReplica(int port)
    {
        lock (_nodes)
        {
            return _replicaOf.ContainsKey(port);
        }
    }

    /// <summary>
    /// Moves one slot with its keys to the node at <paramref name="toPort"/>, the manual way: IMPORTING on the target,
    /// MIGRATING on the source, MIGRATE the keys in batches, then SETSLOT NODE on the target, the source and every
    /// other node; returns when every node says the target owns the slot.
    /// </summary>
    public async Task MoveSlotAsync(int slot, int toPort)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, SlotCount);
        var view = await NodesAsync(toPort);
        var target = view.SingleOrDefault(n => n.Port == toPort)
            ?? throw new ArgumentException($"No node of the cluster listens on port {toPort}.", nameof(toPort));
        var source = view.SingleOrDefault(n => n.Owns(slot))
            ?? throw new InvalidOperationException($"Node {toPort} knows no owner of slot {slot}.");
        if (source.Port != toPort)
        {
            await AdminAsync(toPort, "CLUSTER", "SETSLOT", slot, "IMPORTING", source.Id);
            await AdminAsync(source.Port, "CLUSTER", "SETSLOT", slot, "MIGRATING", target.Id);
            while (true)
            {
                var keys = (RedisValue[]?)await AdminAsync(source.Port, "CLUSTER", "GETKEYSINSLOT", slot, 100) ?? [];
                if (keys.Length == 0)
                {
                    break;
                }
                await AdminAsync(source.Port, ["MIGRATE", Host, toPort, "", 0, 5000, "KEYS", .. keys.Cast<object>()]);
            }
            // The target first: it bumps its config epoch, so its claim wins wherever gossip gets first.
            await AdminAsync(toPort, "CLUSTER", "SETSLOT", slot, "NODE", target.Id);
            await AdminAsync(source.Port, "CLUSTER", "SETSLOT", slot, "NODE", target.Id);
            foreach (var other in Ports.Where(p => p != toPort && p != source.Port))
            {
                await AdminAsync(other, "CLUSTER", "SETSLOT", slot, "NODE", target.Id);
            }
        }
        await Eventually.WaitAsync(
            async () =>
            {
                var disagree = new List<string>();
                foreach (var port in Ports)
                {
                    var owner = (await NodesAsync(port)).SingleOrDefault(n => n.Owns(slot));
                    if (owner?.Port != toPort)
                    {
                        disagree.Add($"{port} says {owner?.Port.ToString(CultureInfo.InvariantCulture) ?? "nobody"}");
                    }
                }
                return string.Join("; ", disagree);
            },
            disagree => disagree.Length == 0, Settle, $"every node to say {toPort} owns slot {slot}");
    }

    public async Task DisposeAsync()
    {
        Node[] nodes;
        lock (_nodes)
        {
            nodes = [.. _nodes];
            _nodes.Clear();
        }
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }
        try
        {
            if (_root.Length > 0 && options.Root is null)
            {
                System.IO.Directory.Delete(_root, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// SIGTERM to every node together (each writes its AOF and nodes.conf), SIGKILL after <paramref name="within"/>:
    /// the local run's stop. The files stay.
    /// </summary>
    public async Task TerminateAsync(TimeSpan within)
    {
        Node[] nodes;
        lock (_nodes)
        {
            nodes = [.. _nodes];
        }
        await Task.WhenAll(nodes.Select(n => n.Redis.TerminateAsync(within)));
    }

    /// <summary>Completes when any node exits (it was killed, or it failed).</summary>
    public Task WaitForAnyExitAsync(CancellationToken cancel)
    {
        lock (_nodes)
        {
            return Task.WhenAny(_nodes.Select(n => n.Redis.WaitForExitAsync(cancel)));
        }
    }

    /// <summary>Runs a command on one node (not routed by slot): CLUSTER …, FLUSHALL, MIGRATE.</summary>
    private Task<RedisResult> AdminAsync(int port, params object[] args)
    {
        Node node;
        lock (_nodes)
        {
            node = _nodes.Single(n => n.Port == port);
        }
        return node.Admin.GetServer(Host, port).ExecuteAsync((string)args[0], args[1..]);
    }

    /// <summary>CLUSTER INFO of one node, field by field.</summary>
    private async Task<Dictionary<string, string>> InfoAsync(int port) =>
        (await AdminAsync(port, "CLUSTER", "INFO")).ToString()
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':', 2))
            .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");

    /// <summary>The cluster as one node sees it (CLUSTER NODES).</summary>
    private async Task<IReadOnlyList<NodeView>> NodesAsync(int port) =>
        NodeView.Parse((await AdminAsync(port, "CLUSTER", "NODES")).ToString());

    /// <summary>
    /// Until every node says <c>cluster_state:ok</c> and lists exactly the cluster's nodes, each a primary
    /// out of its handshake, with every slot served.
    /// </summary>
    private async Task WaitUntilHealthyAsync() =>
        await Eventually.WaitAsync(
            async () =>
            {
                var problems = new List<string>();
                var ports = Ports;
                foreach (var port in ports)
                {
                    try
                    {
                        var info = await InfoAsync(port);
                        if (info.GetValueOrDefault("cluster_state") != "ok")
                        {
                            problems.Add($"{port}: cluster_state {info.GetValueOrDefault("cluster_state")}");
                        }
                        if (info.GetValueOrDefault("cluster_known_nodes") != ports.Count.ToString(CultureInfo.InvariantCulture))
                        {
                            problems.Add($"{port}: knows {info.GetValueOrDefault("cluster_known_nodes")} nodes");
                        }
                        var view = await NodesAsync(port);
                        if (!view.Select(n => n.Port).Order().SequenceEqual(ports.Order())
                            || view.Any(n => !n.Flags.Contains(IsReplica(n.Port) ? "slave" : "master")
                                || n.Flags.Overlaps(["handshake", "fail", "fail?", "noaddr"])))
                        {
                            problems.Add($"{port}: sees [{string.Join(", ", view.Select(n => $"{n.Port} {string.Join(',', n.Flags)}"))}]");
                        }
                        if (view.Sum(n => n.Slots.Sum(r => r.To - r.From + 1)) != SlotCount)
                        {
                            problems.Add($"{port}: not every slot is served");
                        }
                    }
                    catch (Exception e) when (e is RedisException or TimeoutException)
                    {
                        problems.Add($"{port}: {e.Message}");
                    }
                }
                return string.Join("; ", problems);
            },
            problems => problems.Length == 0, Settle, "the cluster to agree");

    /// <summary>
    /// Starts a cluster-enabled redis-server on <paramref name="fixedPort"/>, or on a port whose bus port (+10000) is
    /// free too, and waits for PING.
    /// </summary>
    private async Task<Node> StartNodeAsync(int? fixedPort = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = fixedPort ?? ReservePortPair();
            var p = port.ToString(CultureInfo.InvariantCulture);
            // notify-keyspace-events is left to the configuration on purpose: the services turn it on.
            // cluster-allow-replica-migration no: with Redis 7's default (yes), a primary whose last slot is moved
            // away turns itself into a replica of the slot's new owner; here every node stays a primary.
            var redis = new RedisNode(new RedisNodeOptions
            {
                Port = port,
                Dir = Path.Combine(_root, p),
                ConfigFile = options.ConfigFile,
                Name = $"redis-{p}",
                Launch = options.Launch,
                Arguments =
                [
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", options.NodeTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture),
                    "--cluster-allow-replica-migration", "no", .. options.Arguments,
                ],
            });
            try
            {
                await redis.StartAsync();
                var node = new Node(redis, await ConnectionMultiplexer.ConnectAsync($"{Host}:{port},connectTimeout=2000,allowAdmin=true"));
                lock (_nodes)
                {
                    _nodes.Add(node);
                }
                return node;
            }
            catch (Exception e) when (e is InvalidOperationException or RedisException)
            {
                await redis.DisposeAsync();
                Release(port);
                // Most likely another process took the port or the bus port in the meantime: another pair.
                if (fixedPort is not null || attempt == 5)
                {
                    throw new InvalidOperationException($"redis-server on port {port} (cluster node) did not start: {e.Message}", e);
                }
            }
        }
    }

    /// <summary>
    /// A port P with P and P + 10000 (the cluster bus) free, both below the kernel's ephemeral range (32768 and up
    /// on Linux), so no outgoing connection takes them between the check and redis-server's bind.
    /// </summary>
    private static int ReservePortPair()
    {
        for (var tries = 0; tries < 1000; tries++)
        {
            var port = Random.Shared.Next(20000, 22700);
            lock (s_taken)
            {
                if (s_taken.Contains(port) || !Stack.Ports.IsFree(port) || !Stack.Ports.IsFree(port + 10000))
                {
                    continue;
                }
                s_taken.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException("Found no free port pair P, P + 10000 in 20000–32700 for a cluster node.");
    }

    private static void Release(int port)
    {
        lock (s_taken)
        {
            s_taken.Remove(port);
        }
    }

    /// <summary>Runs redis-cli (its <c>--cluster</c> commands) and fails with its output unless it exits 0 within a minute.</summary>
    private static async Task RunCliAsync(string cli, string[] args)
    {
        var start = new ProcessStartInfo(cli)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"redis-cli {string.Join(' ', args)} exited with {process.ExitCode}:\n{output}");
        }
    }

    /// <summary>One redis-server of the cluster and an admin connection to it.</summary>
    private sealed class Node(RedisNode redis, ConnectionMultiplexer admin) : IAsyncDisposable
    {
        public RedisNode Redis { get; } = redis;
        public int Port => Redis.Port;

        /// <summary>
        /// allowAdmin for CLUSTER and FLUSHALL; the connection finds the other nodes by itself, but AdminAsync always
        /// names this one (IServer), so nothing is routed by slot.
        /// </summary>
        public ConnectionMultiplexer Admin { get; } = admin;

        public async ValueTask DisposeAsync()
        {
            await Admin.DisposeAsync();
            await Redis.DisposeAsync();
            Release(Port);
        }
    }

    /// <summary>One line of CLUSTER NODES: <c>id ip:port@bus flags primary ping pong epoch link slot…</c>.</summary>
    private sealed record NodeView(string Id, int Port, IReadOnlySet<string> Flags, IReadOnlyList<(int From, int To)> Slots)
    {
        public bool Owns(int slot) => Slots.Any(r => r.From <= slot && slot <= r.To);

        public override string ToString() =>
            $"{Id} {Port} {string.Join(',', Flags)} {string.Join(' ', Slots.Select(r => $"{r.From}-{r.To}"))}";

        public static IReadOnlyList<NodeView> Parse(string nodes) =>
            [.. nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseLine)];

        private static NodeView ParseLine(string line)
        {
            var f = line.Split(' ');
            var address = f[1].Split('@')[0];
            var port = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            var slots = new List<(int, int)>();
            // Slots are "5461", "0-5460" or, while one moves, "[5461->-id]" / "[5461-<-id]": those are skipped.
            foreach (var range in f.Skip(8).Where(s => !s.StartsWith('[')))
            {
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                slots.Add(dash < 0
                    ? (int.Parse(range, CultureInfo.InvariantCulture), int.Parse(range, CultureInfo.InvariantCulture))
                    : (int.Parse(range[..dash], CultureInfo.InvariantCulture), int.Parse(range[(dash + 1)..], CultureInfo.InvariantCulture)));
            }
            return new NodeView(f[0], port, f[2].Split(',').ToHashSet(), slots);
        }
    }
}
