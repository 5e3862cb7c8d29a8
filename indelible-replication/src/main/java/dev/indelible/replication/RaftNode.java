package dev.indelible.replication;

import dev.indelible.formats.note.NoteSignature;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.log.AuditLogs;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import dev.indelible.log.LogName;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.LeaderElectionManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a replicated indelible cluster: the node's logs ({@link #logs()}, the same API as a
 * single node), sequenced through one Apache Ratis group shared by every log. Appends may be sent
 * to any node: its Raft client finds the leader and retries across a failover. Reads are served
 * from this node's replica, which holds every entry this node has applied.
 *
 * <p>The leader proposes a {@link Command.Seal} for each log that has grown, once per checkpoint
 * interval; every replica checks its own root, then signs the same checkpoint with the shared log
 * key (Ed25519 is deterministic, so every replica stores byte-identical checkpoints).
 */
public final class RaftNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);

    /** The one Raft group of a cluster; fixed, so every member names the same group. */
    static final RaftGroupId GROUP_ID =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("indelible-cluster-v1".getBytes(StandardCharsets.UTF_8)));

    /** The node's own cosigning key, under {@code <data>/keys/}. */
    public static final String NODE_KEY_FILE = "node-cosigner.key";

    /** The largest Raft entry: one append request of at most this many bytes. */
    public static final SizeInBytes ENTRY_MAX_BYTES = SizeInBytes.valueOf("16MB");

    /** Raft log segment size, unless a test sets a smaller one. */
    static final SizeInBytes SEGMENT_SIZE_MAX = SizeInBytes.valueOf("64MB");

    /**
     * How far ahead of its writes Ratis extends a Raft log segment with zeros (its default is 4 MB).
     * Zeros written ahead are flushed by the next fsync and written again with the entries later, so
     * every Raft log byte reached the disk twice; with little ahead, the zeros are overwritten in the
     * page cache before the fsync (Ratis still writes at least each write's size of zeros). The
     * device wrote 26 % fewer bytes and spent half the time writing (docs/BENCHMARKS.md).
     */
    static final SizeInBytes PREALLOCATED_SIZE = SizeInBytes.valueOf("64KB");

    /** About how many Raft log segments a purge behind a snapshot deletes (see {@link #snapshotEveryBytes}). */
    static final long SEGMENTS_PER_PURGE = 4;

    private static final ClientId SNAPSHOT_CLIENT_ID = ClientId.randomId();
    private static final java.time.Duration SNAPSHOT_REQUEST_TIMEOUT = java.time.Duration.ofSeconds(60);

    /** Attempts the Raft client makes ({@link #CLIENT_RETRY_SLEEP} apart, each bounded by the request timeout). */
    static final int CLIENT_ATTEMPTS_MAX = 100;

    /** Attempts a configuration change makes (200 ms apart, each bounded by the request timeout). */
    static final int ADMIN_ATTEMPTS_MAX = 10;

    /** The pause between two attempts of the Raft client: short, so a failover is noticed quickly. */
    static final TimeDuration CLIENT_RETRY_SLEEP = TimeDuration.valueOf(50, TimeUnit.MILLISECONDS);

    /**
     * The leader's appender's pauses after consecutive errors of one follower ({@code sleep,count}
     * pairs, each sleep drawn from half to one and a half times its value; no pause after the last).
     */
    static final String APPENDER_RETRY_POLICY = "1ms,10, 50ms,1000000";

    /** Attempts of one catch-up query ({@link #CLIENT_RETRY_SLEEP} apart) while its target still leads. */
    static final int CATCH_UP_ATTEMPTS_MAX = 3;

    /**
     * How long one catch-up query may take: a reply holds up to {@link CatchUp#REPLY_MAX_BYTES}, 8 MB,
     * which takes 6.4 s over 10 Mbit/s. The wait ends sooner if the queried node stops leading.
     */
    static final java.time.Duration CATCH_UP_QUERY_TIMEOUT = java.time.Duration.ofSeconds(60);

    /** How often a node waiting for a catch-up reply checks that the queried node still leads. */
    static final java.time.Duration CATCH_UP_LEADER_CHECK = java.time.Duration.ofMillis(100);

    /** Seals waiting to be cosigned; the oldest is dropped when full (a newer seal supersedes it). */
    static final int COSIGN_QUEUE_MAX = 64;

    /**
     * How long after the start of its latest successful read barrier a node vouches for its tokens
     * ({@link TokenGate}): a revoked token stops working on every node at most this long after the
     * revocation was acknowledged, and on a node cut off from the majority this long after the cut.
     */
    public static final java.time.Duration TOKEN_VOUCH_WINDOW = java.time.Duration.ofSeconds(2);

    /** How often a node runs its read barrier. */
    static final java.time.Duration TOKEN_BARRIER_POLL = java.time.Duration.ofMillis(250);

    /** The longest a token proposal waits, after its commit, for this node to apply it. */
    static final java.time.Duration APPLY_WAIT_MAX = java.time.Duration.ofSeconds(5);

    private final ClusterConfig cluster;
    private final RaftGroup group;
    private final Map<LogName, RaftSequencer> sequencers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sealTimer;
    private final ThreadPoolExecutor cosignExecutor;
    private final Clock clock;
    private final ExecutorService proposers = Executors.newVirtualThreadPerTaskExecutor();
    private final EntrySyncer entrySyncer;
    private volatile NodeKey nodeKey;
    private volatile AuditLogs logs;
    private volatile LogStateMachine stateMachine;
    private volatile RaftServer server;
    private volatile RaftClient client;
    /** The client that never retries, for the read barriers of {@link TokenGate}. */
    private volatile RaftClient barrierClient;
    /** Sends catch-up queries ({@link #queryLeader}): no retries, {@link #CATCH_UP_QUERY_TIMEOUT}. */
    private volatile RaftClient catchUpClient;

    private volatile TokenGate tokenGate;
    private final AtomicLong snapshotCalls = new AtomicLong();
    /** The client identity of the proposals this node submits to its own Raft server while it leads. */
    private final ClientId selfClientId = ClientId.randomId();

    private final AtomicLong selfCallIds = new AtomicLong();
    /**
     * The commands this node submits to its own Raft server, by call id, until answered: the state
     * machine attaches each to its transaction ({@link LogStateMachine#startTransaction}), so this
     * node applies the command it built instead of expanding and decoding the entry's bytes again.
     */
    private final Map<Long, Command> ownProposals = new ConcurrentHashMap<>();

    private final AtomicLong selfSubmissions = new AtomicLong();
    private final AtomicLong selfRefusals = new AtomicLong();
    private SizeInBytes segmentSizeMax;
    /** The member ids of the Raft configuration last applied (the cosignature quorum). */
    private volatile Set<String> members = Set.of();

    private volatile boolean membersApplied;

    private RaftNode(ClusterConfig cluster) {
        this.cluster = cluster;
        List<RaftPeer> peers = new ArrayList<>();
        for (ClusterConfig.Peer peer : cluster.peers()) {
            peers.add(RaftPeer.newBuilder()
                    .setId(peer.id())
                    .setAddress(peer.address())
                    .build());
        }
        this.group = RaftGroup.valueOf(GROUP_ID, peers);
        this.sealTimer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("seal-timer-" + cluster.nodeId())
                .daemon(true)
                .factory());
        this.cosignExecutor = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(COSIGN_QUEUE_MAX),
                Thread.ofPlatform()
                        .name("cosigner-" + cluster.nodeId())
                        .daemon(true)
                        .factory(),
                new ThreadPoolExecutor.DiscardOldestPolicy());
        this.clock = Clock.systemUTC();
        this.entrySyncer = new EntrySyncer(
                cluster.nodeId(),
                () -> sequencers.values().stream().map(RaftSequencer::log).toList());
    }

    /**
     * Opens this node's logs, starts its Raft server (recovering its Raft log if it has one) and
     * its Raft client. The node catches up with the cluster in the background.
     *
     * @param tokens where the replicated access-control tokens are stored on this node; written on
     *     the Raft apply thread from the moment the server starts (replaying its Raft log)
     */
    public static RaftNode start(ClusterConfig cluster, AuditLogs.Settings settings, FileIO io, ReplicatedTokens tokens)
            throws IOException {
        return start(cluster, settings, io, tokens, null);
    }

    /**
     * As {@link #start(ClusterConfig, AuditLogs.Settings, FileIO, ReplicatedTokens)}, with Raft log
     * segments of at most {@code segmentSizeMax} (null: 64 MB). Only closed segments are purged, so
     * tests that need a purge use small ones.
     */
    static RaftNode start(
            ClusterConfig cluster,
            AuditLogs.Settings settings,
            FileIO io,
            ReplicatedTokens tokens,
            SizeInBytes segmentSizeMax)
            throws IOException {
        RaftNode node = new RaftNode(cluster);
        node.segmentSizeMax = segmentSizeMax;
        node.nodeKey = NodeKey.loadOrCreate(
                cluster.raftDirectory().resolveSibling("keys").resolve(NODE_KEY_FILE),
                settings.originHost() + "/node/" + cluster.nodeId(),
                io);
        long pushback = settings.config().pushbackMaxOutstanding();
        boolean existing = Files.isDirectory(
                cluster.raftDirectory().resolve(GROUP_ID.getUuid().toString()));
        boolean joining = cluster.join() && !existing;
        Set<String> founders = new HashSet<>();
        cluster.peers().forEach(peer -> founders.add(peer.id()));
        node.members = joining ? Set.of() : Set.copyOf(founders);
        // The Raft log holds every entry past the last snapshot: applies need no fsync of their own.
        AuditLogs.Settings replica = new AuditLogs.Settings(
                settings.dataDirectory(),
                settings.originHost(),
                settings.signers(),
                settings.config().withTailReplayable(true),
                settings.clock());
        node.logs = AuditLogs.open(replica, io, applier -> {
            RaftSequencer sequencer = new RaftSequencer(
                    applier,
                    node::propose,
                    node::cosignLater,
                    () -> node.members,
                    node.cosignExecutor,
                    node.entrySyncer,
                    pushback);
            node.sequencers.put(applier.name(), sequencer);
            return sequencer;
        });
        try {
            node.stateMachine = new LogStateMachine(
                    name -> {
                        node.logs.getOrCreate(name);
                        return node.sequencers.get(name);
                    },
                    node.sequencers::get,
                    node.sequencers::values,
                    io,
                    tokens);
            node.stateMachine.leader(node::queryLeader);
            node.stateMachine.ownProposals(node::ownProposal);
            if (!existing) {
                adoptIfSingleNode(
                        node.logs,
                        node.sequencers.values(),
                        cluster,
                        settings.originHost(),
                        joining,
                        node.stateMachine);
            }
            node.stateMachine.onMembers(ids -> {
                node.members = ids;
                node.membersApplied = true;
            });
            RaftProperties properties = node.properties();
            node.server = RaftServer.newBuilder()
                    .setServerId(RaftPeerId.valueOf(cluster.nodeId()))
                    // A joining node starts in no configuration: it cannot stand for election, and
                    // learns the group from the leader once a member adds it.
                    .setGroup(joining ? RaftGroup.valueOf(GROUP_ID) : node.group)
                    .setStateMachine(node.stateMachine)
                    .setProperties(properties)
                    .setParameters(node.parameters())
                    .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                    .build();
            node.server.start();
            if (!node.membersApplied && !joining) {
                // Restarted from a snapshot of version 1 or 2 (no member set) past the last
                // configuration entry: take the configuration Ratis recovered (maybe uncommitted).
                Set<String> recovered = node.currentPeers().stream()
                        .map(peer -> peer.getId().toString())
                        .collect(java.util.stream.Collectors.toUnmodifiableSet());
                if (!recovered.isEmpty() && !node.membersApplied) {
                    node.members = recovered;
                }
            }
            node.client = RaftClient.newBuilder()
                    .setProperties(properties)
                    .setRaftGroup(node.group)
                    .setClientId(ClientId.randomId())
                    .setClientRpc(new GrpcFactory(node.parameters()).newRaftClientRpc(ClientId.randomId(), properties))
                    .setRetryPolicy(
                            RetryPolicies.retryUpToMaximumCountWithFixedSleep(CLIENT_ATTEMPTS_MAX, CLIENT_RETRY_SLEEP))
                    .build();
            node.catchUpClient = node.noRetryClient(properties, CATCH_UP_QUERY_TIMEOUT);
            node.startTokenGate(properties);
            node.stateMachine.snapshotEveryBytes(node.snapshotEveryBytes(), node::requestSnapshot);
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        long interval = settings.config().checkpointInterval().toMillis();
        node.sealTimer.scheduleWithFixedDelay(node::sealIfLeader, interval, interval, TimeUnit.MILLISECONDS);
        node.entrySyncer.start();
        LOG.info(
                "node {} started in cluster {}{}",
                cluster.nodeId(),
                cluster.peers(),
                cluster.peerTls().isPresent() ? " with mutual TLS between nodes" : "");
        return node;
    }

    /**
     * A first start (no Raft storage) on a data directory that already holds entries, made by a
     * single node: allowed only for the sole founding member, which adopts those logs as the
     * cluster's initial state (see docs/design/replication.md, "From single node to cluster").
     * Everything is checked here, before Ratis formats its storage, so a refused start leaves the
     * data directory as it was.
     */
    private static void adoptIfSingleNode(
            AuditLogs logs,
            Collection<RaftSequencer> sequencers,
            ClusterConfig cluster,
            String originHost,
            boolean joining,
            LogStateMachine machine)
            throws IOException {
        List<dev.indelible.log.AuditLog> stored =
                logs.all().stream().filter(log -> log.head().treeSize() > 0).toList();
        if (stored.isEmpty()) {
            return;
        }
        String names = stored.stream().map(log -> log.name().value()).toList().toString();
        if (joining) {
            throw new IOException("the data directory of joining node " + cluster.nodeId() + " already holds logs "
                    + names + "; a joining node starts empty and fetches them from the cluster");
        }
        if (cluster.peers().size() != 1) {
            throw new IOException("the data directory holds logs " + names + " of a single node: it can only become the"
                    + " first node of a cluster, started with --cluster naming itself alone; add the others afterwards"
                    + " (cluster add-node, server --join)");
        }
        for (dev.indelible.log.AuditLog log : stored) {
            String want = originHost + "/" + log.name().value();
            if (!log.origin().equals(want)) {
                throw new IOException("log " + log.name() + " has origin " + log.origin()
                        + " but new logs here would get "
                        + want + "; start with --origin-host "
                        + log.origin().substring(0, Math.max(0, log.origin().lastIndexOf('/')))
                        + " so every node gives the log the same origin");
            }
        }
        for (RaftSequencer sequencer : sequencers) {
            sequencer.adoptedState(); // checks the log key now; the snapshot is written when Ratis initializes
        }
        machine.adoptLocalLogs();
    }

    /**
     * The Ratis parameters: with peer TLS, one mutual-TLS configuration that Ratis's gRPC factory
     * uses for every server port (server-to-server, client and admin services) and for every
     * client this node opens (log appenders, the append and admin clients), so every Raft
     * connection presents this node's certificate and requires one the peer CA signed that names a
     * node id of the cluster ({@link PeerTrust}, {@link #peerIds()}).
     */
    private Parameters parameters() {
        Parameters parameters = new Parameters();
        cluster.peerTls()
                .ifPresent(tls -> GrpcConfigKeys.TLS.setConf(parameters, PeerTrust.grpcConfig(tls, this::peerIds)));
        return parameters;
    }

    /**
     * The node ids a peer certificate may name (docs/security.md, "Between cluster nodes"): this
     * node's {@code --cluster} list, the member set last applied, the Raft configuration Ratis holds
     * (latest, maybe uncommitted) and, on the leader, every follower it replicates to — which
     * includes a node being added while the leader brings it up to date, before the configuration
     * naming it is in the log. Read at every TLS handshake, from any thread.
     */
    Set<String> peerIds() {
        Set<String> ids = new HashSet<>(members);
        cluster.peers().forEach(peer -> ids.add(peer.id()));
        currentPeers().forEach(peer -> ids.add(peer.getId().toString()));
        DivisionInfo info = info();
        if (info != null && info.isLeader()) {
            try {
                info.getRoleInfoProto()
                        .getLeaderInfo()
                        .getFollowerInfoList()
                        .forEach(follower -> ids.add(follower.getId().getId().toStringUtf8()));
            } catch (RuntimeException e) {
                LOG.debug("no follower infos: {}", e.toString());
            }
        }
        return ids;
    }

    private RaftProperties properties() {
        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(
                properties, List.of(cluster.raftDirectory().toFile()));
        ClusterConfig.Peer self = cluster.self();
        GrpcConfigKeys.Server.setHost(properties, self.host());
        GrpcConfigKeys.Server.setPort(properties, self.port());
        long min = cluster.electionTimeoutMin().toMillis();
        long max = electionTimeoutMax().toMillis();
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(min, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(max, TimeUnit.MILLISECONDS));
        // A leader that stepped down for want of a majority's heartbeat replies stands again after
        // one election timeout, not Ratis's default 10 s: when it holds entries the others lack, only
        // it can win, and a new leader slow to start its appenders on a busy machine steps down so
        // too (11.5–11.9 s failovers, docs/BENCHMARKS.md session 13). Pre-vote keeps a cut-off
        // former leader from disrupting the others meanwhile.
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(
                properties, TimeDuration.valueOf(max, TimeUnit.MILLISECONDS));
        // A node that has heard of no leader since it started waits longer, and more spread out,
        // before its first candidacy: the nodes of a new cluster start together and are still busy
        // starting, and elections racing through that first second once left a node of Ratis 3.2.2
        // stuck for good (replication.md, "Starting a cluster"). Failover is unaffected: a node
        // that has followed a leader uses the timeouts above.
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(
                properties, TimeDuration.valueOf(Math.max(1_000, 2 * min), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(
                properties, TimeDuration.valueOf(Math.max(3_000, 4 * min), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(
                properties, TimeDuration.valueOf(Math.max(3_000, 4 * min), TimeUnit.MILLISECONDS));
        RaftClientConfigKeys.Rpc.setRequestTimeout(
                properties, TimeDuration.valueOf(Math.max(3_000, 4 * min), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(properties, ENTRY_MAX_BYTES);
        RaftServerConfigKeys.Log.setWriteBufferSize(
                properties, SizeInBytes.valueOf(ENTRY_MAX_BYTES.getSize() + (1 << 20)));
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SEGMENT_SIZE_MAX);
        RaftServerConfigKeys.Log.setPreallocatedSize(properties, PREALLOCATED_SIZE);
        GrpcConfigKeys.setMessageSizeMax(properties, SizeInBytes.valueOf("64MB"));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, cluster.snapshotEveryEntries());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        // A follower the leader has purged the log behind installs the leader's snapshot itself
        // (LogStateMachine.notifyInstallSnapshotFromLeader); the leader ships no files.
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(properties, false);
        // After errors — an unreachable follower, but also "inconsistent" replies, which a follower
        // sends to every append while it installs a snapshot — the leader's appender sleeps before
        // its next request, heartbeats included: by Ratis's default 1 s after 10 errors and 5 s
        // after 30. A live follower then hears nothing for longer than its election timeout, stands
        // for election, and a leader whose only other live follower it is steps down and may not
        // stand again for 10 s (found by ClusterTest.aFollowerWhoseLeaderDiesDuringItsInstall...).
        // Sleeps of at most 75 ms (50 ms ± half) keep the heartbeats coming.
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(properties, APPENDER_RETRY_POLICY);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        // No commit-index metadata entries in the Raft log: Raft never needs the commit index
        // persisted (a restarted node learns it from the leader), and each such entry cost a Raft
        // log fsync — half of all of them under load (docs/BENCHMARKS.md, "Three nodes after ...").
        RaftServerConfigKeys.Log.setLogMetadataEnabled(properties, false);
        // Read-only requests are linearizable (Raft ReadIndex): the token gate's read barrier relies
        // on it. Catch-up queries are stale reads of committed data instead (queryLeader).
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setTimeout(
                properties, TimeDuration.valueOf(TOKEN_VOUCH_WINDOW.toMillis(), TimeUnit.MILLISECONDS));
        // Every snapshot purges the closed segments behind it: snapshots come at most every
        // snapshotEveryEntries entries or snapshotEveryBytes() bytes, so each purge is bounded.
        RaftServerConfigKeys.Log.setPurgeGap(properties, 1);
        // The purge leaves the log starting after a segment boundary, often before the latest
        // snapshot: a follower whose log ends there must not be told for ever to install a snapshot
        // it has (PurgeAwareLogAppender).
        RaftConfigKeys.Rpc.setType(properties, new PurgeAwareLogAppender.Transport());
        if (segmentSizeMax != null) {
            RaftServerConfigKeys.Log.setSegmentSizeMax(properties, segmentSizeMax);
        }
        return properties;
    }

    /**
     * Command bytes applied between two snapshots this node asks for (besides Ratis's trigger every
     * {@code snapshotEveryEntries} entries), a compressed entry counted by the command it holds:
     * {@link #SEGMENTS_PER_PURGE} segments' worth, so a purge deletes at most about that many segment
     * files (fewer when entries are compressed), and a restart replays at most that much — Ratis
     * deletes purged files on the Raft log worker, which writes
     * nothing meanwhile (docs/BENCHMARKS.md, "The half-rate tail", item 8). Each member's point is
     * offset by its rank among the founding members, so the members' purges fall at different
     * times and the others keep a majority while one deletes.
     */
    long snapshotEveryBytes() {
        long segment = segmentSizeMax != null ? segmentSizeMax.getSize() : SEGMENT_SIZE_MAX.getSize();
        long base = SEGMENTS_PER_PURGE * segment;
        List<String> ids =
                cluster.peers().stream().map(ClusterConfig.Peer::id).sorted().toList();
        int rank = Math.max(0, ids.indexOf(cluster.nodeId()));
        return base + base * rank / Math.max(1, ids.size());
    }

    /**
     * Asks Ratis for a snapshot now (off the apply thread, which calls this and must never see it
     * fail); see {@link #snapshotEveryBytes()}.
     */
    private void requestSnapshot() {
        RaftServer current = server;
        if (current == null) {
            stateMachine.snapshotRequestDone();
            return;
        }
        try {
            CompletableFuture.supplyAsync(
                            () -> current.snapshotManagementAsync(SnapshotManagementRequest.newCreate(
                                    SNAPSHOT_CLIENT_ID,
                                    RaftPeerId.valueOf(cluster.nodeId()),
                                    GROUP_ID,
                                    snapshotCalls.incrementAndGet(),
                                    SNAPSHOT_REQUEST_TIMEOUT.toMillis(),
                                    1)),
                            proposers)
                    .thenCompose(reply -> reply)
                    .whenComplete((reply, error) -> {
                        if (error != null || !reply.isSuccess()) {
                            LOG.warn(
                                    "snapshot by bytes not taken: {}",
                                    error != null ? error.toString() : String.valueOf(reply.getException()));
                        }
                        stateMachine.snapshotRequestDone();
                    });
        } catch (RejectedExecutionException e) {
            // The node is closing (proposers shut down): no snapshot to ask for.
            stateMachine.snapshotRequestDone();
        }
    }

    /** The member ids of the Raft configuration last applied: the cosignature quorum's members. */
    Set<String> members() {
        return members;
    }

    /** The voting member ids of the Raft configuration Ratis holds (the latest, maybe uncommitted). */
    Set<String> raftConfigurationMembers() {
        Set<String> ids = new java.util.TreeSet<>();
        currentPeers().forEach(peer -> ids.add(peer.getId().toString()));
        return ids;
    }

    /** This node's logs: append, read, prove. Appends are replicated. */
    public AuditLogs logs() {
        return logs;
    }

    /** This node's id. */
    public String nodeId() {
        return cluster.nodeId();
    }

    /** Why this node stopped applying the Raft log, if it did (health down). */
    public Optional<String> failure() {
        LogStateMachine machine = stateMachine;
        return Optional.ofNullable(machine == null ? null : machine.failure());
    }

    /** The first index this node's Raft log still holds (it grows as the log is purged behind snapshots). */
    long raftLogStartIndex() throws IOException {
        return server.getDivision(GROUP_ID).getRaftLog().getStartIndex();
    }

    /** The last index this node's Raft log holds (-1: none). */
    long raftLogLastIndex() throws IOException {
        TermIndex last = server.getDivision(GROUP_ID).getRaftLog().getLastEntryTermIndex();
        return last == null ? -1 : last.getIndex();
    }

    /** Whether this node is currently the Raft leader. */
    public boolean isLeader() {
        DivisionInfo info = info();
        return info != null && info.isLeader();
    }

    /** Whether this node leads and has committed an entry of its term (Ratis takes writes only then). */
    private boolean isReadyLeader() {
        DivisionInfo info = info();
        return info != null && info.isLeader() && info.isLeaderReady();
    }

    /** This node's view of the cluster. */
    public ClusterStatus status() {
        DivisionInfo info = info();
        Map<String, Long> commits = new TreeMap<>();
        try {
            Collection<CommitInfoProto> infos = server.getDivision(GROUP_ID).getCommitInfos();
            for (CommitInfoProto commit : infos) {
                commits.put(commit.getServer().getId().toStringUtf8(), commit.getCommitIndex());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("no commit infos: {}", e.toString());
        }
        long highest =
                commits.values().stream().mapToLong(Long::longValue).max().orElse(0);
        List<ClusterStatus.Node> nodes = new ArrayList<>();
        List<RaftPeer> current = currentPeers();
        if (current.isEmpty() && !cluster.join()) {
            current = group.getPeers().stream().toList();
        }
        for (RaftPeer peer : current) {
            String id = peer.getId().toString();
            long commit = commits.getOrDefault(id, -1L);
            nodes.add(new ClusterStatus.Node(id, peer.getAddress(), commit, commit < 0 ? -1 : highest - commit));
        }
        Map<String, Long> trees = new TreeMap<>();
        sequencers.forEach((name, sequencer) -> trees.put(name.value(), sequencer.appliedTreeSize()));
        String role = info == null ? "STOPPED" : info.getCurrentRole().name();
        Optional<String> leader =
                Optional.ofNullable(info == null ? null : info.getLeaderId()).map(RaftPeerId::toString);
        return new ClusterStatus(
                cluster.nodeId(),
                role,
                leader,
                info == null ? 0 : info.getCurrentTerm(),
                info == null ? -1 : info.getLastAppliedIndex(),
                vouchesForTokens(),
                nodes,
                trees,
                failure());
    }

    /** The voting members of the Raft configuration this node knows (latest, maybe uncommitted), by id. */
    private List<RaftPeer> currentPeers() {
        try {
            RaftServer current = server;
            if (current == null) {
                return List.of();
            }
            List<RaftPeer> peers =
                    new ArrayList<>(current.getDivision(GROUP_ID).getRaftConf().getCurrentPeers());
            peers.sort(java.util.Comparator.comparing(peer -> peer.getId().toString()));
            return peers;
        } catch (IOException | RuntimeException e) {
            LOG.debug("no raft configuration: {}", e.toString());
            return List.of();
        }
    }

    /**
     * Adds a voting member at {@code address} (Raft configuration change through the leader, which
     * first brings the new node up to date from its Raft log). The new node must be running, started
     * with {@code join}. Adding a member that is already there with the same address does nothing.
     *
     * @throws IndelibleException {@code invalid-parameter} for a bad id or address, or an id already
     *     used with another address; {@code overloaded} (retryable) if the cluster did not commit it
     */
    public ClusterStatus addMember(String id, String address) {
        ClusterConfig.Peer peer;
        try {
            int colon = address.lastIndexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException("address \"" + address + "\" is not host:port");
            }
            peer = ClusterConfig.parsePeer(id, address);
        } catch (IllegalArgumentException e) {
            throw new IndelibleException(ErrorCode.INVALID_PARAMETER, e.getMessage(), e);
        }
        for (RaftPeer existing : currentPeers()) {
            if (existing.getId().toString().equals(peer.id())) {
                if (existing.getAddress().equals(peer.address())) {
                    return status();
                }
                throw new IndelibleException(
                        ErrorCode.INVALID_PARAMETER,
                        "node " + peer.id() + " is already a member at " + existing.getAddress());
            }
        }
        RaftPeer added = RaftPeer.newBuilder()
                .setId(peer.id())
                .setAddress(peer.address())
                .build();
        setConfiguration(
                SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInNewConf(List.of(added))
                        .setMode(SetConfigurationRequest.Mode.ADD)
                        .build(),
                "add " + peer.id());
        LOG.info("node {} added to the cluster at {}", peer.id(), peer.address());
        return status();
    }

    /**
     * Removes voting member {@code id} (Raft configuration change; compare-and-set against the
     * configuration this node knows, so a concurrent change is not undone).
     *
     * @throws IndelibleException {@code not-found} if {@code id} is not a member,
     *     {@code invalid-parameter} when it is the last one, {@code overloaded} (retryable) if the
     *     cluster did not commit the change
     */
    public ClusterStatus removeMember(String id) {
        List<RaftPeer> current = currentPeers();
        List<RaftPeer> remaining = current.stream()
                .filter(peer -> !peer.getId().toString().equals(id))
                .toList();
        if (remaining.size() == current.size()) {
            throw new IndelibleException(ErrorCode.NOT_FOUND, "node " + id + " is not a member of the cluster");
        }
        if (remaining.isEmpty()) {
            throw new IndelibleException(ErrorCode.INVALID_PARAMETER, "cannot remove the last member " + id);
        }
        setConfiguration(
                SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInCurrentConf(current)
                        .setServersInNewConf(remaining)
                        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                        .build(),
                "remove " + id);
        LOG.info("node {} removed from the cluster", id);
        return status();
    }

    /**
     * Hands this node's leadership to its most up-to-date voting follower, before a planned stop:
     * that follower stands at once (Ratis's leadership transfer) instead of after an election
     * timeout, so writes pause for one election round trip and the new leader's start. Writes that
     * reach this node meanwhile are refused before they are appended and resent to the new leader
     * ({@link #deliver}). Returns whether this node no longer leads; does nothing (false) unless this
     * node leads a group with other voting members. This node stands for election no more until
     * it restarts. Waits at most {@link #handOffWait}.
     */
    public boolean handOffLeadership() {
        DivisionInfo info = info();
        RaftServer self = server;
        if (info == null || self == null || !info.isLeader()) {
            return false;
        }
        RaftPeerId target = mostUpToDateFollower(info);
        if (target == null) {
            return false;
        }
        // A node on its way out never stands again: once it has stepped down, its election timer
        // would otherwise run out while the new leader starts, and its candidacy unseat that leader.
        try {
            self.leaderElectionManagementAsync(
                            LeaderElectionManagementRequest.newPause(ClientId.randomId(), self.getId(), GROUP_ID, 0))
                    .get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("node {} could not pause its own elections: {}", cluster.nodeId(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return handOffLeadership(target, handOffWait());
    }

    /**
     * How long a hand-off may take: the election timeout's upper bound. This leader refuses writes
     * until it has stepped down or the wait is over (they are resent), so it must be short: a
     * StartLeaderElection request that fails (say, over a connection to a follower that restarted
     * since) is not retried by Ratis, and the stop then goes on to an ordinary election. A target
     * that was asked in time usually wins after the wait anyway.
     */
    private java.time.Duration handOffWait() {
        return electionTimeoutMax();
    }

    /** The election timeout's upper bound: twice its lower bound ({@code --election-timeout}). */
    private java.time.Duration electionTimeoutMax() {
        return cluster.electionTimeoutMin().multipliedBy(2);
    }

    /** Hands this node's leadership to {@code target} (see {@link #handOffLeadership()}). */
    boolean handOffLeadership(RaftPeerId target, java.time.Duration timeout) {
        RaftServer self = server;
        if (self == null) {
            return false;
        }
        LOG.info("node {} hands its leadership to {}", cluster.nodeId(), target);
        long started = System.nanoTime();
        try {
            RaftClientReply reply = self.transferLeadershipAsync(new TransferLeadershipRequest(
                            ClientId.randomId(), self.getId(), GROUP_ID, 0, target, timeout.toMillis()))
                    .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            long millis = (System.nanoTime() - started) / 1_000_000;
            if (reply.isSuccess()) {
                LOG.info("node {} handed its leadership to {} in {} ms", cluster.nodeId(), target, millis);
                return true;
            }
            DivisionInfo after = info();
            if (after != null && !after.isLeader()) {
                // Stepped down for the target's candidacy; the winner's first heartbeat had not come yet.
                LOG.info(
                        "node {} stepped down for {} in {} ms (the new leader not yet known)",
                        cluster.nodeId(),
                        target,
                        millis);
                return true;
            }
            LOG.warn(
                    "node {} could not hand its leadership to {} ({} ms): {}",
                    cluster.nodeId(),
                    target,
                    millis,
                    reply.getException() == null
                            ? "refused"
                            : reply.getException().getMessage());
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("node {} could not hand its leadership to {}: {}", cluster.nodeId(), target, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * The voting follower whose log matches the most of this leader's, the one last heard from
     * breaking a tie; null if there is none. Ratis lists the followers in the same order for their
     * match indices and their role info.
     */
    private RaftPeerId mostUpToDateFollower(DivisionInfo info) {
        Set<RaftPeerId> voters = new HashSet<>();
        currentPeers().forEach(peer -> voters.add(peer.getId()));
        List<RaftProtos.ServerRpcProto> followers;
        long[] matched;
        try {
            followers = info.getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
            matched = info.getFollowerMatchIndices();
        } catch (RuntimeException e) {
            LOG.debug("no follower infos: {}", e.toString());
            return null;
        }
        RaftPeerId best = null;
        long bestMatch = -1;
        long bestSilence = Long.MAX_VALUE;
        for (int i = 0; i < Math.min(followers.size(), matched.length); i++) {
            RaftProtos.ServerRpcProto follower = followers.get(i);
            RaftPeerId id = RaftPeerId.valueOf(follower.getId().getId());
            long silence = follower.getLastRpcElapsedTimeMs();
            if (voters.contains(id) && (matched[i] > bestMatch || (matched[i] == bestMatch && silence < bestSilence))) {
                best = id;
                bestMatch = matched[i];
                bestSilence = silence;
            }
        }
        return best;
    }

    private void setConfiguration(SetConfigurationRequest.Arguments arguments, String what) {
        List<RaftPeer> known = new ArrayList<>(currentPeers());
        if (known.isEmpty()) {
            known.addAll(group.getPeers());
        }
        RaftProperties properties = properties();
        // A client of its own with a short, bounded retry: a node that is not running never catches
        // up, and the caller should hear so in seconds rather than wait out the append client's retries.
        try (RaftClient admin = RaftClient.newBuilder()
                .setProperties(properties)
                .setRaftGroup(RaftGroup.valueOf(GROUP_ID, known))
                .setClientId(ClientId.randomId())
                .setClientRpc(new GrpcFactory(parameters()).newRaftClientRpc(ClientId.randomId(), properties))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        ADMIN_ATTEMPTS_MAX, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build()) {
            RaftClientReply reply = admin.admin().setConfiguration(arguments);
            if (!reply.isSuccess()) {
                throw new IndelibleException(
                        ErrorCode.OVERLOADED,
                        "configuration change (" + what + ") not committed; retry: " + reply.getException());
            }
        } catch (IOException e) {
            throw new IndelibleException(
                    ErrorCode.OVERLOADED, "configuration change (" + what + ") not committed; retry: " + e, e);
        }
    }

    /** A Raft client of the group that never retries, each request bounded by {@code timeout}. */
    private RaftClient noRetryClient(RaftProperties properties, java.time.Duration timeout) {
        RaftProperties own = new RaftProperties(properties);
        RaftClientConfigKeys.Rpc.setRequestTimeout(
                own, TimeDuration.valueOf(timeout.toMillis(), TimeUnit.MILLISECONDS));
        return RaftClient.newBuilder()
                .setProperties(own)
                .setRaftGroup(group)
                .setClientId(ClientId.randomId())
                .setClientRpc(new GrpcFactory(parameters()).newRaftClientRpc(ClientId.randomId(), own))
                .setRetryPolicy(RetryPolicies.noRetry())
                .build();
    }

    /**
     * Starts the read barrier of {@link TokenGate} on a client of its own that never retries: a
     * barrier that cannot complete within the window is worth nothing, the next one starts soon.
     */
    private void startTokenGate(RaftProperties properties) {
        RaftClient barriers = noRetryClient(properties, TOKEN_VOUCH_WINDOW);
        barrierClient = barriers;
        RaftPeerId self = RaftPeerId.valueOf(cluster.nodeId());
        Message query = Message.valueOf(UnsafeByteOperations.unsafeWrap(CatchUp.barrierQuery()));
        TokenGate gate = new TokenGate(
                cluster.nodeId(),
                () -> {
                    RaftClientReply reply = barriers.io().sendReadOnly(query, self);
                    if (!reply.isSuccess()) {
                        throw new IOException("read barrier failed: " + reply.getException());
                    }
                },
                TOKEN_VOUCH_WINDOW,
                TOKEN_BARRIER_POLL,
                System::nanoTime);
        tokenGate = gate;
        gate.start();
    }

    /**
     * Whether this node is current: it has applied every entry the cluster committed up to less than
     * {@link #TOKEN_VOUCH_WINDOW} ago, as its latest successful read barrier through a leader backed
     * by a majority proved ({@link TokenGate}). False while it starts, catches up after a restart or
     * a snapshot install, has its apply thread more than the window behind, or cannot reach such a
     * leader (no leader; the minority side of a partition). {@code /readyz} answers 503 then.
     */
    public boolean isCurrent() {
        TokenGate gate = tokenGate;
        return gate != null && gate.vouches();
    }

    /**
     * Whether this node may vouch for the tokens it holds: whether it {@link #isCurrent is current},
     * so that every revocation acknowledged before the window is applied here.
     */
    public boolean vouchesForTokens() {
        return isCurrent();
    }

    private DivisionInfo info() {
        try {
            RaftServer current = server;
            return current == null ? null : current.getDivision(GROUP_ID).getInfo();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Sends {@code command} through Raft; completes with the leader's apply reply. While this node
     * leads, the command goes straight to its own Raft server ({@link #sendAsLeader}); otherwise,
     * or if that finds this node no longer leading, forwarded to the leader ({@link #forward}).
     */
    CompletableFuture<Reply> propose(Command command) {
        return send(command).thenApply(Committed::reply);
    }

    /** The leader's apply reply to a command and the Raft index it was committed at. */
    private record Committed(Reply reply, long logIndex) {}

    private CompletableFuture<Committed> send(Command command) {
        RaftClient current = client;
        if (current == null) {
            return CompletableFuture.failedFuture(
                    new IndelibleException(ErrorCode.OVERLOADED, "node is starting; retry"));
        }
        Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(command.entryBytes()));
        return isReadyLeader()
                ? sendAsLeader(current, command, message, selfCallIds.incrementAndGet())
                : forward(current, message);
    }

    /**
     * What {@link #propose} does while this node leads, as call {@code callId} of this node's own
     * client identity; for tests, which call it on any node.
     */
    CompletableFuture<Reply> proposeAsLeader(Command command, long callId) {
        Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(command.entryBytes()));
        return sendAsLeader(client, command, message, callId).thenApply(Committed::reply);
    }

    /**
     * Submits a write to this node's own Raft server as a client request of {@link #selfClientId}: no
     * gRPC round trip through the loopback with the whole entry and its reply. If Ratis answers that
     * this node does not lead (it lost the lead before the request arrived, or while the entry was
     * pending), the very same request — same client and call id — goes to the leader Ratis names, or
     * to each member in turn, as the Raft client would retry it: a leader that has applied the entry
     * answers from its retry cache instead of appending it again. The submission and the reply's
     * handling run on {@link #proposers}, never on a Ratis thread (a reply completes on the apply
     * thread, and what follows it may propose again).
     */
    private CompletableFuture<Committed> sendAsLeader(
            RaftClient current, Command command, Message message, long callId) {
        RaftServer self = server;
        ownProposals.put(callId, command);
        return CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return self.submitClientRequestAsync(selfRequest(self.getId(), callId, message));
                            } catch (IOException e) {
                                throw notCommitted(e);
                            }
                        },
                        proposers)
                .thenCompose(reply -> reply)
                .thenApplyAsync(
                        reply -> {
                            if (reply.isSuccess()) {
                                selfSubmissions.incrementAndGet();
                                return committed(reply);
                            }
                            if (reply.getNotLeaderException() == null && !isRefusedBeforeAppend(reply.getException())) {
                                throw notCommitted(reply.getException());
                            }
                            selfRefusals.incrementAndGet();
                            return resend(current, callId, message, reply.getNotLeaderException());
                        },
                        proposers)
                .exceptionallyCompose(error -> CompletableFuture.failedFuture(notCommitted(unwrap(error))))
                .whenComplete((committed, error) -> ownProposals.remove(callId));
    }

    /**
     * The command this node submitted to its own Raft server as {@code request}, while it waits for
     * its answer; {@code null} for any other request (another client's, or one forwarded here).
     */
    private Command ownProposal(RaftClientRequest request) {
        return request.getClientId().equals(selfClientId) ? ownProposals.get(request.getCallId()) : null;
    }

    private RaftClientRequest selfRequest(RaftPeerId to, long callId, Message message) {
        return RaftClientRequest.newBuilder()
                .setClientId(selfClientId)
                .setServerId(to)
                .setGroupId(GROUP_ID)
                .setCallId(callId)
                .setMessage(message)
                .setType(RaftClientRequest.writeRequestType())
                .build();
    }

    /**
     * Resends this node's refused request {@code callId}: see {@link #deliver}, starting with the
     * leader {@code refusal} names.
     */
    private Committed resend(RaftClient current, long callId, Message message, NotLeaderException refusal) {
        return deliver(current, callId, message, refusal == null ? null : refusal.getSuggestedLeader(), refusal);
    }

    /**
     * Sends request {@code callId} of this node's client identity through the Raft client's transport
     * until a leader answers: first to {@code target} (if known), then to the leader each refusal
     * names, or to the members in turn, with the Raft client's pause and number of attempts. Every
     * attempt carries the same call id, so a leader that has the entry answers from its retry cache.
     * Refusals that come before the leader appends anything are retried: not the leader, not yet
     * ready (its first entry of the term not yet applied, and with it every earlier entry), or
     * stepping down (handing its leadership over, {@link #handOffLeadership}). Blocks (runs on a
     * virtual thread).
     */
    private Committed deliver(RaftClient current, long callId, Message message, RaftPeer target, Throwable refusal) {
        List<RaftPeer> members = null; // read only when no leader is known: not on a forward's usual path
        Throwable last = refusal;
        for (int attempt = 0; attempt < CLIENT_ATTEMPTS_MAX; attempt++) {
            if (target == null) {
                if (members == null) {
                    members = currentPeers();
                }
                if (members.isEmpty()) {
                    break; // closing: no configuration left to try
                }
                target = members.get(attempt % members.size());
            }
            try {
                current.getClientRpc().addRaftPeers(List.of(target));
                RaftClientReply reply =
                        current.getClientRpc().sendRequest(selfRequest(target.getId(), callId, message));
                if (reply.isSuccess()) {
                    return committed(reply);
                }
                NotLeaderException notLeader = reply.getNotLeaderException();
                if (notLeader == null && !isRefusedBeforeAppend(reply.getException())) {
                    throw notCommitted(reply.getException());
                }
                last = notLeader != null ? notLeader : reply.getException();
                target = notLeader != null ? notLeader.getSuggestedLeader() : target;
            } catch (NotLeaderException e) {
                last = e;
                target = e.getSuggestedLeader();
            } catch (IOException e) {
                last = e;
                target = null;
            }
            try {
                CLIENT_RETRY_SLEEP.sleep();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw notCommitted(e);
            }
        }
        throw notCommitted(last);
    }

    /** Whether a leader refused a write before appending it, for a reason a moment may clear. */
    private static boolean isRefusedBeforeAppend(Throwable refusal) {
        return refusal instanceof LeaderNotReadyException || refusal instanceof LeaderSteppingDownException;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
    }

    /** Proposals this node's own Raft server committed and applied as leader ({@link #sendAsLeader}). */
    long selfSubmissions() {
        return selfSubmissions.get();
    }

    /** Entries this node applied from the command it proposed itself, without decoding them. */
    long ownCommandsApplied() {
        return stateMachine.ownCommandsApplied();
    }

    /** Commands this node submitted to its own Raft server and has not seen answered. */
    int ownProposalsWaiting() {
        return ownProposals.size();
    }

    /** Proposals this node's own Raft server refused as not (or not yet) leading, then resent. */
    long selfRefusals() {
        return selfRefusals.get();
    }

    /**
     * Forwards a write from a node that does not lead, as call {@code selfCallIds} of this node's
     * client identity ({@link #deliver}): to the leader this node knows of, then wherever refusals
     * point. Not the Raft client's own retries: those give up on a leader that is handing its
     * leadership over, and a new call id for the retry could append an entry twice. Each proposal is
     * a blocking call on its own virtual thread, not the client's ordered async API: ordered requests
     * queue behind the oldest unanswered one, so one request retrying across a failover would stall
     * every later one (head-of-line blocking).
     */
    private CompletableFuture<Committed> forward(RaftClient current, Message message) {
        long callId = selfCallIds.incrementAndGet();
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return deliver(current, callId, message, knownLeader(), null);
                    } catch (RuntimeException e) {
                        throw notCommitted(e);
                    }
                },
                proposers);
    }

    /** The member this node last heard lead, if it knows one. */
    private RaftPeer knownLeader() {
        DivisionInfo info = info();
        RaftPeerId leader = info == null ? null : info.getLeaderId();
        return leader == null
                ? null
                : currentPeers().stream()
                        .filter(peer -> peer.getId().equals(leader))
                        .findFirst()
                        .orElse(null);
    }

    private static Committed committed(RaftClientReply reply) {
        return new Committed(Reply.decode(reply.getMessage().getContent().asReadOnlyByteBuffer()), reply.getLogIndex());
    }

    private static IndelibleException notCommitted(Throwable cause) {
        if (cause instanceof IndelibleException known) {
            return known;
        }
        return new IndelibleException(ErrorCode.OVERLOADED, "not committed by the cluster; retry: " + cause, cause);
    }

    /**
     * Adds {@code token} to the cluster's tokens through the Raft log: every node stores it (the
     * record only; the secret never leaves the caller). Completes once the cluster has committed it
     * and this node has applied it (waiting at most {@link #APPLY_WAIT_MAX} for this node after the
     * commit); other nodes apply it moments later.
     *
     * @return fails with {@link IndelibleException} {@code invalid-parameter} if the cluster already
     *     has a token of that name (revoked names are not reused), or {@code overloaded} (retryable)
     *     if it was not committed — it may still commit, so a retry may then find the name taken
     */
    public CompletableFuture<Void> proposeTokenPut(ReplicatedTokens.Token token) {
        return proposeAndAwaitApplied(new Command.TokenPut(token)).thenApply(reply -> {
            if (!reply.ok()) {
                throw new IndelibleException(ErrorCode.INVALID_PARAMETER, reply.reason());
            }
            return null;
        });
    }

    /**
     * Revokes the cluster's token called {@code name} through the Raft log: every node revokes every
     * token of that name it holds (its own local ones too). Completes as {@link #proposeTokenPut}
     * does.
     *
     * @return whether the cluster had an unrevoked token of that name; fails with {@link
     *     IndelibleException} {@code overloaded} (retryable: revoking twice is harmless) if the
     *     revocation was not committed
     */
    public CompletableFuture<Boolean> proposeTokenRevoke(String name) {
        return proposeAndAwaitApplied(new Command.TokenRevoke(name))
                .thenApply(reply -> reply.ok() && reply.value() == 1);
    }

    private CompletableFuture<Reply> proposeAndAwaitApplied(Command command) {
        return send(command).thenCompose(committed -> {
            LogStateMachine machine = stateMachine;
            // A copy: the timeout must not complete the waiter the state machine holds.
            return machine.awaitApplied(committed.logIndex())
                    .copy()
                    .completeOnTimeout(null, APPLY_WAIT_MAX.toMillis(), TimeUnit.MILLISECONDS)
                    .thenApply(applied -> committed.reply());
        });
    }

    /**
     * Sends a catch-up query to the leader as a stale read: the leader answers from what it has
     * applied without first confirming its leadership with a majority (Raft ReadIndex). Everything
     * a catch-up query returns — a snapshot, applied entries, stored checkpoints, bodies — is
     * committed and the same on every replica, and the install checks it (roots, signatures); a
     * linearizable read would need a majority's heartbeat replies, which, with a third node down,
     * include those of the installing node itself — and it refuses appends until its install ends.
     *
     * <p>The query goes through a no-retry client, at most {@link #CATCH_UP_ATTEMPTS_MAX} times and
     * only while this node still sees {@code leaderId} lead: when the leader stops, the install
     * fails at once and the next leader's notification starts another (docs/design/replication.md,
     * "Snapshot install"). One reply may take up to {@link #CATCH_UP_QUERY_TIMEOUT} (a slow link),
     * but the wait for it ends as soon as this node sees another leader (or none) — a leader cut
     * off from this node is replaced within an election, and its reply no longer matters.
     */
    private byte[] queryLeader(String leaderId, byte[] request) throws IOException {
        Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(request));
        IOException failed = new IOException("node " + cluster.nodeId() + " has no Raft client yet");
        for (int attempt = 0; attempt < CATCH_UP_ATTEMPTS_MAX; attempt++) {
            if (attempt > 0) {
                try {
                    CLIENT_RETRY_SLEEP.sleep();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted between catch-up queries");
                }
            }
            RaftPeerId leader = requireLeading(leaderId);
            RaftClient current = catchUpClient;
            if (current == null) {
                continue;
            }
            try {
                RaftClientReply reply = awaitWhileLeading(
                        leaderId,
                        CompletableFuture.supplyAsync(
                                () -> {
                                    try {
                                        return current.io().sendStaleRead(message, 0, leader);
                                    } catch (IOException e) {
                                        throw new java.util.concurrent.CompletionException(e);
                                    }
                                },
                                proposers));
                if (reply.isSuccess()) {
                    return reply.getMessage().getContent().toByteArray();
                }
                failed = new IOException("catch-up query failed at the leader: " + reply.getException());
            } catch (IOException e) {
                failed = e;
            }
        }
        throw failed;
    }

    /** The leader, if this node sees {@code leaderId} lead; else throws. */
    private RaftPeerId requireLeading(String leaderId) throws IOException {
        DivisionInfo info = info();
        RaftPeerId leader = info == null ? null : info.getLeaderId();
        if (leader == null || !leader.toString().equals(leaderId)) {
            throw new IOException(leaderId + " no longer leads (the leader is " + leader + ")");
        }
        return leader;
    }

    /**
     * Waits for {@code reply} while this node sees {@code leaderId} lead; throws if it stops leading
     * first (the reply, if it comes, is dropped) or the query fails.
     */
    private RaftClientReply awaitWhileLeading(String leaderId, CompletableFuture<RaftClientReply> reply)
            throws IOException {
        while (true) {
            try {
                return reply.get(CATCH_UP_LEADER_CHECK.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                try {
                    requireLeading(leaderId);
                } catch (IOException notLeading) {
                    reply.cancel(false);
                    throw notLeading;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for a catch-up reply");
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                throw cause instanceof IOException io ? io : new IOException(cause);
            }
        }
    }

    /** For tests: this node applies no entry until {@code gate} opens (a slow apply thread). */
    void holdApplies(java.util.concurrent.CountDownLatch gate) {
        stateMachine.holdApplies(gate);
    }

    /** For tests: this node answers catch-up queries {@code delay} late (a slow link). */
    void delayCatchUpAnswers(java.time.Duration delay) {
        stateMachine.delayCatchUpAnswers(delay);
    }

    /** This node's cosigner verifier key (C2SP note key, type 0x04). */
    public String cosignerKey() {
        return nodeKey.verifierKey();
    }

    /** Cosigns a sealed checkpoint off the apply thread and proposes the cosignature. */
    private void cosignLater(RaftSequencer sequencer, long treeSize, String checkpointText) {
        entrySyncer.kick();
        cosignExecutor.execute(() -> {
            if (sequencer.publishedAtLeast(treeSize)) {
                return;
            }
            NoteSigner signer = nodeKey.cosigner(clock);
            byte[] signature = signer.sign(checkpointText.getBytes(StandardCharsets.UTF_8));
            sequencer
                    .proposeCosignature(
                            treeSize,
                            cluster.nodeId(),
                            nodeKey.verifierKey(),
                            NoteSignature.of(signer.name(), signer.keyId(), signature))
                    .whenComplete((reply, error) -> {
                        if (error != null) {
                            LOG.debug("cosignature at {} not committed: {}", treeSize, error.toString());
                        }
                    });
        });
    }

    private void sealIfLeader() {
        try {
            if (isReadyLeader()) {
                for (RaftSequencer sequencer : sequencers.values()) {
                    sequencer.sealIfGrown();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("seal round failed", e);
        }
    }

    /** Stops the timer, the Raft client and server, then closes every log. */
    @Override
    public void close() {
        sealTimer.shutdownNow();
        cosignExecutor.shutdownNow();
        proposers.shutdownNow();
        closeQuietly(tokenGate, "token gate");
        closeQuietly(barrierClient, "read barrier client");
        closeQuietly(catchUpClient, "catch-up client");
        closeQuietly(client, "raft client");
        closeQuietly(server, "raft server");
        entrySyncer.close();
        if (logs != null) {
            logs.close();
        }
    }

    private void closeQuietly(AutoCloseable closeable, String what) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("closing {} of node {} failed", what, cluster.nodeId(), e);
        }
    }
}
