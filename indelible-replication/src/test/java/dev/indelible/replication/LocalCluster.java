package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.formats.cosignature.CosignatureV1;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteSignature;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.note.Notes;
import dev.indelible.formats.note.SignedNote;
import dev.indelible.log.Appended;
import dev.indelible.log.AuditLog;
import dev.indelible.log.AuditLogs;
import dev.indelible.log.CheckpointSigner;
import dev.indelible.log.Leaf;
import dev.indelible.log.LogApplier;
import dev.indelible.log.LogConfig;
import dev.indelible.log.LogName;
import dev.indelible.log.PublishedCheckpoint;
import dev.indelible.log.envelope.EnvelopeWriter;
import dev.indelible.log.envelope.PreparedEntry;
import dev.indelible.log.envelope.Source;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.ratis.util.SizeInBytes;

/**
 * A cluster of Raft nodes in this JVM on 127.0.0.1, each with its own data directory, sharing one
 * log signing key. Ports are chosen free when the cluster is made and kept across restarts.
 *
 * <p>Also the steps the cluster tests share: append a batch through a node and record what was
 * sent, wait until every running node has applied and sealed it, assert that the replicas are
 * identical, read a node's snapshot files and a checkpoint's cosignatures. Every wait takes the
 * caller's timeout.
 */
final class LocalCluster implements AutoCloseable {
    static final String ORIGIN_HOST = "cluster.test";
    static final Duration ELECTION_TIMEOUT_MIN = Duration.ofMillis(300);
    private static final byte[] SEED = new byte[32];

    static {
        Arrays.fill(SEED, (byte) 7);
    }

    private final Path root;
    private final List<ClusterConfig.Peer> peers = new ArrayList<>();
    private final RaftNode[] nodes;
    private final String[] cosignerKeys;
    /** Each node's token store; like a data directory, it outlives the node's restarts. */
    private final MemoryTokens[] tokens;

    private final long snapshotEveryEntries;
    private SizeInBytes segmentSizeMax;
    private Duration checkpointInterval = Duration.ofMillis(100);
    private Duration electionTimeoutMin = ELECTION_TIMEOUT_MIN;
    private IntFunction<PeerTls> peerTls = i -> null;
    private IntFunction<FileIO> fileIO = i -> FileIO.posix();
    /** Nodes {@code 0..founders-1} form the cluster; the others may join it later. */
    private final int founders;

    LocalCluster(Path root, int size) {
        this(root, size, ClusterConfig.DEFAULT_SNAPSHOT_EVERY_ENTRIES);
    }

    LocalCluster(Path root, int size, long snapshotEveryEntries) {
        this(root, size, 0, snapshotEveryEntries);
    }

    /** {@code size} founding members plus {@code spares} nodes (ids and ports fixed) that may join later. */
    LocalCluster(Path root, int size, int spares, long snapshotEveryEntries) {
        this.root = root;
        this.snapshotEveryEntries = snapshotEveryEntries;
        this.founders = size;
        this.nodes = new RaftNode[size + spares];
        this.cosignerKeys = new String[size + spares];
        this.tokens = new MemoryTokens[size + spares];
        for (int i = 0; i < size + spares; i++) {
            peers.add(new ClusterConfig.Peer("n" + (i + 1), "127.0.0.1", freePort()));
            tokens[i] = new MemoryTokens();
        }
    }

    /** Node {@code i} stores its logs through {@code io.apply(i)} (default: the real file system). */
    LocalCluster withFileIO(IntFunction<FileIO> io) {
        this.fileIO = io;
        return this;
    }

    /** Node {@code i} runs with {@code tls.apply(i)} (null: plaintext). */
    LocalCluster withPeerTls(IntFunction<PeerTls> tls) {
        this.peerTls = tls;
        return this;
    }

    /**
     * Election timeouts of {@code min} to twice that (default {@link #ELECTION_TIMEOUT_MIN}); a
     * leader that loses its majority steps down after about twice {@code min}.
     */
    LocalCluster withElectionTimeoutMin(Duration min) {
        this.electionTimeoutMin = min;
        return this;
    }

    /** Raft log segments of at most {@code max} (only closed segments are purged behind a snapshot). */
    LocalCluster withSegmentSizeMax(SizeInBytes max) {
        this.segmentSizeMax = max;
        return this;
    }

    /** Seals a checkpoint at most every {@code interval} (default 100 ms). */
    LocalCluster withCheckpointInterval(Duration interval) {
        this.checkpointInterval = interval;
        return this;
    }

    private static final java.util.Set<Integer> GIVEN_PORTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static int freePort() {
        // The kernel may hand the same ephemeral port out twice in a row once the probe socket is
        // closed; two nodes on one port make Ratis exit the JVM. Never hand a port out twice.
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (GIVEN_PORTS.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no unused loopback port after 100 attempts");
    }

    static CheckpointSigner signer(String origin) {
        NoteSigner signer =
                NoteSigner.ed25519(NoteKeys.ed25519FromSeed(origin, SEED).signerKey());
        return text -> Notes.sign(text, List.of(signer));
    }

    /**
     * The entry of a large event, as the ingestion path builds it: a leaf naming its body by SHA-256
     * ({@code "eventDigest"}), the body (about {@code size} bytes of {@code fill}) beside it.
     */
    static PreparedEntry largeEvent(String tag, char fill, int size) {
        ObjectNode event = JsonNodeFactory.instance
                .objectNode()
                .put("tag", tag)
                .put("blob", String.valueOf(fill).repeat(size));
        PreparedEntry entry =
                new EnvelopeWriter().prepare(event, Instant.parse("2026-11-26T05:41:17Z"), Source.http("127.0.0.1"));
        if (entry.detachedBody().isEmpty()) {
            throw new IllegalArgumentException("an event of " + size + " bytes is not detached");
        }
        return entry;
    }

    /**
     * The settings of the logs of a node in {@code data}: this cluster's origin host and signing key,
     * a checkpoint sealed at most every {@code checkpointInterval}.
     */
    static AuditLogs.Settings settings(Path data, Duration checkpointInterval) {
        return new AuditLogs.Settings(
                data,
                ORIGIN_HOST,
                LocalCluster::signer,
                LogConfig.defaults().withCheckpointInterval(checkpointInterval),
                Clock.systemUTC());
    }

    /**
     * A sequencer of {@code log} outside any Raft group, for tests that apply commands by hand:
     * proposals fail, no cosignature is asked for, published checkpoints are stored at once.
     */
    static RaftSequencer standaloneSequencer(LogApplier log, Set<String> members) {
        return new RaftSequencer(
                log,
                command -> CompletableFuture.failedFuture(new IllegalStateException("no raft")),
                (sequencer, treeSize, text) -> {},
                () -> members,
                Runnable::run,
                storesAtOnce(),
                100);
    }

    /** Checkpoint stores that store each published checkpoint at once, on the calling thread. */
    static RaftSequencer.CheckpointStores storesAtOnce() {
        return new RaftSequencer.CheckpointStores() {
            @Override
            public void later(Runnable store) {
                store.run();
            }

            @Override
            public void drain() {}
        };
    }

    /** {@code count} small JSON leaves tagged {@code tag}, numbered from 0. */
    static List<Leaf> batch(String tag, int count) {
        List<Leaf> leaves = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            leaves.add(Leaf.of(("{\"tag\":\"" + tag + "\",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return leaves;
    }

    int size() {
        return nodes.length;
    }

    /** How many nodes are running now. */
    int runningNodes() {
        int running = 0;
        for (RaftNode node : nodes) {
            running += node != null ? 1 : 0;
        }
        return running;
    }

    LocalCluster startAll() {
        for (int i = 0; i < founders; i++) {
            start(i);
        }
        return this;
    }

    RaftNode start(int i) {
        if (nodes[i] != null) {
            throw new IllegalStateException("node " + i + " is running");
        }
        Path data = root.resolve(peers.get(i).id());
        // A founder knows the founders; a spare knows everyone up to itself and joins.
        List<ClusterConfig.Peer> known = i < founders ? peers.subList(0, founders) : peers.subList(0, i + 1);
        ClusterConfig config = new ClusterConfig(
                peers.get(i).id(),
                known,
                data.resolve("raft"),
                electionTimeoutMin,
                snapshotEveryEntries,
                i >= founders,
                Optional.ofNullable(peerTls.apply(i)));
        try {
            nodes[i] = RaftNode.start(
                    config, settings(data, checkpointInterval), fileIO.apply(i), tokens[i], segmentSizeMax);
            cosignerKeys[i] = nodes[i].cosignerKey();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return nodes[i];
    }

    /** Node {@code i}'s token store. */
    MemoryTokens tokens(int i) {
        return tokens[i];
    }

    /** Empties node {@code i}'s token store (stopped), as if its token file were lost. */
    void forgetTokens(int i) {
        if (nodes[i] != null) {
            throw new IllegalStateException("node " + i + " is running");
        }
        tokens[i] = new MemoryTokens();
    }

    /** Node {@code i}'s id and Raft address. */
    ClusterConfig.Peer peer(int i) {
        return peers.get(i);
    }

    void stop(int i) {
        RaftNode node = nodes[i];
        nodes[i] = null;
        if (node != null) {
            node.close();
        }
    }

    /** Node {@code i}'s data directory. */
    Path dataDirectory(int i) {
        return root.resolve(peers.get(i).id());
    }

    Optional<RaftNode> node(int i) {
        return Optional.ofNullable(nodes[i]);
    }

    RaftNode require(int i) {
        return node(i).orElseThrow(() -> new IllegalStateException("node " + i + " is stopped"));
    }

    /** The index of the leader, waiting up to {@code timeout} for one. */
    int awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < nodes.length; i++) {
                if (nodes[i] != null && nodes[i].isLeader()) {
                    return i;
                }
            }
            sleep(20);
        }
        throw new AssertionError("no leader within " + timeout);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        await(what, timeout, condition, () -> "");
    }

    /** As {@link #await(String, Duration, BooleanSupplier)}; a timeout's message ends with {@code state}'s answer. */
    static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + state.get());
            }
            sleep(20);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Appends {@code leaves} carrying the client ids {@code ids} through the node that leads (waiting
     * up to {@code timeout} for one), waiting up to 30 s; where each leaf is, or was first appended.
     */
    List<Appended> appendWithIds(LogName log, List<Leaf> leaves, List<Optional<String>> ids, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        return require(awaitLeader(timeout))
                .logs()
                .require(log)
                .append(leaves, ids, List.of())
                .get(30, TimeUnit.SECONDS);
    }

    /** Appends {@code leaves} to {@code log} through node {@code node}, waiting up to 30 s; the first leaf index. */
    long append(LogName log, int node, List<Leaf> leaves)
            throws InterruptedException, ExecutionException, TimeoutException {
        return require(node)
                .logs()
                .getOrCreate(log)
                .append(leaves)
                .get(30, TimeUnit.SECONDS)
                .get(0)
                .leafIndex();
    }

    /**
     * Appends {@code leaves} through node {@code node}, asserts they follow everything in {@code sent}
     * (the leaves appended so far, in order), and adds their bytes to it.
     */
    void appendRecording(LogName log, int node, List<Leaf> leaves, List<byte[]> sent)
            throws InterruptedException, ExecutionException, TimeoutException {
        long first = append(log, node, leaves);
        assertThat(first).as("first leaf index").isEqualTo(sent.size());
        leaves.forEach(leaf -> sent.add(leaf.bytes()));
    }

    /** Waits until every running node has applied {@code size} entries and sealed a checkpoint of them. */
    void awaitAllAt(LogName log, long size, Duration timeout) {
        await(
                "every node at tree size " + size + " with a checkpoint",
                timeout,
                () -> {
                    List<AuditLog> replicas = replicas(log);
                    if (replicas.size() < runningNodes()) {
                        return false;
                    }
                    for (AuditLog replica : replicas) {
                        if (replica.head().treeSize() != size
                                || replica.latestCheckpoint()
                                                .map(PublishedCheckpoint::treeSize)
                                                .orElse(0L)
                                        != size) {
                            return false;
                        }
                    }
                    return true;
                },
                () -> "; nodes: " + describe(log));
    }

    /** Each running node's role, applied Raft index, tree size and latest checkpoint of {@code log}. */
    private String describe(LogName log) {
        List<String> states = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            RaftNode node = nodes[i];
            if (node == null) {
                continue;
            }
            ClusterStatus status = node.status();
            String replica = node.logs()
                    .find(log)
                    .map(found -> "tree " + found.head().treeSize() + ", checkpoint "
                            + found.latestCheckpoint()
                                    .map(PublishedCheckpoint::treeSize)
                                    .map(String::valueOf)
                                    .orElse("none")
                            + found.failure()
                                    .map(failure -> ", log failed: " + failure)
                                    .orElse(""))
                    .orElse("no replica");
            String raftLog;
            try {
                raftLog = node.raftLogStartIndex() + ".." + node.raftLogLastIndex();
            } catch (IOException | RuntimeException e) {
                raftLog = e.toString();
            }
            states.add(i + " " + status.role() + " term " + status.term() + " applied " + status.appliedRaftIndex()
                    + " raft log " + raftLog + " (" + replica
                    + status.failure().map(failure -> ", failed: " + failure).orElse("") + ")"
                    + (node.isLeader() ? " sees " + status.nodes() : ""));
        }
        return String.join("; ", states);
    }

    /** A follower {@link #appendThenStopAFollower} stopped, and the last Raft index it had applied. */
    record StoppedFollower(int node, long appliedRaftIndex) {}

    /**
     * Appends five entries through the leader (recorded in {@code sent}), waits until every node has
     * them, and stops the founder after the leader.
     */
    StoppedFollower appendThenStopAFollower(LogName log, List<byte[]> sent, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        appendRecording(log, awaitLeader(timeout), LocalCluster.batch("first", 5), sent);
        awaitAllAt(log, sent.size(), timeout);
        int follower = (awaitLeader(timeout) + 1) % founders;
        long applied = require(follower).status().appliedRaftIndex();
        stop(follower);
        return new StoppedFollower(follower, applied);
    }

    /** Waits until the leader's Raft log starts after {@code followerApplied + 1}: purged past a stopped follower. */
    void awaitLeaderPurgedPast(long followerApplied, Duration timeout) {
        await("the leader purged its Raft log past the stopped follower", timeout, () -> {
            try {
                return require(awaitLeader(timeout)).raftLogStartIndex() > followerApplied + 1;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** The snapshot file {@code snapshot.<term>_<raftIndex>} of node {@code i} with the highest Raft index. */
    Optional<Path> latestSnapshot(int i) {
        try (var files = Files.walk(dataDirectory(i).resolve("raft"))) {
            return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+"))
                    .max(Comparator.comparingLong(LocalCluster::snapshotIndex));
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** The Raft index of node {@code i}'s newest snapshot, or -1 if it has none. */
    long latestSnapshotIndex(int i) {
        return latestSnapshot(i).map(LocalCluster::snapshotIndex).orElse(-1L);
    }

    private static long snapshotIndex(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(name.indexOf('_') + 1));
    }

    /**
     * The names of the nodes whose cosignature is on {@code note}, each verified with the node's
     * cosigner key (nodes never started have none and are skipped); a bad signature throws.
     */
    Set<String> cosigners(byte[] note) {
        SignedNote parsed = Notes.parse(note);
        Set<String> names = new HashSet<>();
        for (String key : cosignerKeys) {
            if (key == null) {
                continue;
            }
            NoteVerifier verifier = CosignatureV1.verifier(key);
            for (NoteSignature signature : parsed.signatures()) {
                if (signature.name().equals(verifier.name()) && signature.keyId() == verifier.keyId()) {
                    verifier.verify(parsed.text().getBytes(StandardCharsets.UTF_8), signature.signature());
                    names.add(verifier.name());
                }
            }
        }
        return names;
    }

    /**
     * Asserts that every running node holds {@code log} with the same head, no failure, {@code sent}
     * as its entries, the same root hashes at tree sizes 1, 1 + {@code rootHashStep}, ... and
     * byte-identical latest checkpoints. Returns the replicas, for the caller's own checks of them.
     */
    List<AuditLog> assertReplicasIdentical(LogName log, List<byte[]> sent, int rootHashStep) {
        Map<Long, byte[]> entries = new TreeMap<>();
        for (int i = 0; i < sent.size(); i++) {
            entries.put((long) i, sent.get(i));
        }
        return assertReplicasIdentical(log, entries, rootHashStep);
    }

    /**
     * Asserts that every running node's replica has the same tree head, roots (every {@code
     * rootHashStep}-th size) and byte-identical latest checkpoint, holds each of {@code entries} at
     * its leaf index, and has not stopped; the replicas.
     */
    List<AuditLog> assertReplicasIdentical(LogName log, Map<Long, byte[]> entries, int rootHashStep) {
        List<AuditLog> replicas = replicas(log);
        assertThat(replicas).hasSize(runningNodes());
        AuditLog first = replicas.get(0);
        for (AuditLog replica : replicas) {
            assertThat(replica.head()).isEqualTo(first.head());
            assertThat(replica.failure()).isEmpty();
            for (Map.Entry<Long, byte[]> entry : entries.entrySet()) {
                assertThat(replica.entry(entry.getKey()))
                        .as("entry %d", entry.getKey())
                        .isEqualTo(entry.getValue());
            }
            for (long size = 1; size <= first.head().treeSize(); size += rootHashStep) {
                assertThat(replica.rootHash(size)).isEqualTo(first.rootHash(size));
            }
            assertThat(Arrays.equals(
                            replica.latestCheckpoint().orElseThrow().signedNote(),
                            first.latestCheckpoint().orElseThrow().signedNote()))
                    .as("byte-identical checkpoints")
                    .isTrue();
        }
        return replicas;
    }

    /** Every running node's copy of a log, if it has one. */
    List<AuditLog> replicas(LogName name) {
        List<AuditLog> logs = new ArrayList<>();
        for (RaftNode node : nodes) {
            if (node != null) {
                node.logs().find(name).ifPresent(logs::add);
            }
        }
        return logs;
    }

    @Override
    public void close() {
        for (int i = 0; i < nodes.length; i++) {
            try {
                stop(i);
            } catch (RuntimeException e) {
                System.err.println("stopping node " + i + ": " + e);
            }
        }
    }
}
