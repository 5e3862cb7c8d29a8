package dev.indelible.replication;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.Notes;
import dev.indelible.log.AuditLog;
import dev.indelible.log.AuditLogs;
import dev.indelible.log.CheckpointSigner;
import dev.indelible.log.LogConfig;
import dev.indelible.log.envelope.EnvelopeWriter;
import dev.indelible.log.envelope.PreparedEntry;
import dev.indelible.log.envelope.Source;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.apache.ratis.util.SizeInBytes;

/**
 * A cluster of Raft nodes in this JVM on 127.0.0.1, each with its own data directory, sharing one
 * log signing key. Ports are chosen free when the cluster is made and kept across restarts.
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
        NoteSigner signer = NoteSigner.ed25519(NoteKeys.ed25519FromSeed(origin, SEED).signerKey());
        return text -> Notes.sign(text, List.of(signer));
    }

    /**
     * The entry of a large event, as the ingestion path builds it: a leaf naming its body by SHA-256
     * ({@code "eventDigest"}), the body (about {@code size} bytes of {@code fill}) beside it.
     */
    static PreparedEntry largeEvent(String tag, char fill, int size) {
        ObjectNode event = JsonNodeFactory.instance.objectNode()
                .put("tag", tag)
                .put("blob", String.valueOf(fill).repeat(size));
        PreparedEntry entry = new EnvelopeWriter().prepare(event, Instant.parse("2026-11-26T05:41:17Z"), Source.http("127.0.0.1"));
        if (entry.detachedBody().isEmpty()) {
            throw new IllegalArgumentException("an event of " + size + " bytes is not detached");
        }
        return entry;
    }

    int size() {
        return nodes.length;
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
                peers.get(i).id(), known, data.resolve("raft"), electionTimeoutMin, snapshotEveryEntries, i >= founders,
                Optional.ofNullable(peerTls.apply(i)));
        AuditLogs.Settings settings = new AuditLogs.Settings(
                data,
                ORIGIN_HOST,
                LocalCluster::signer,
                LogConfig.defaults().withCheckpointInterval(checkpointInterval),
                Clock.systemUTC());
        try {
            nodes[i] = RaftNode.start(config, settings, FileIO.posix(), tokens[i], segmentSizeMax);
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

    /** Node {@code i}'s cosigner verifier key (known once it has started). */
    String cosignerKey(int i) {
        return cosignerKeys[i];
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
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
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

    /** Every running node's copy of a log, if it has one. */
    List<AuditLog> replicas(dev.indelible.log.LogName name) {
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
