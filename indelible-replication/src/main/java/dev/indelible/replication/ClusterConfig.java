package dev.indelible.replication;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where this node sits in its cluster: its id, every member's Raft address, where the Raft log
 * lives, and the election timeout (the lower bound of the randomized range; the upper bound is
 * twice it). Every member MUST be given the same peer list.
 *
 * @param snapshotEveryEntries how many Raft entries are applied between two snapshots; the Raft
 *     log behind a snapshot may be purged
 * @param electionTimeoutMin how long a follower waits without hearing from a leader before it
 *     stands for election; failover takes about this long plus one election round
 * @param join this node is joining a running cluster: on its first start (no Raft storage yet) it
 *     starts outside any configuration and waits for a member to add it ({@code cluster add-node}),
 *     then catches up from the leader's Raft log; {@code peers} is then only where its Raft client
 *     looks for the leader. Ignored once the node has Raft storage.
 * @param peerTls mutual TLS for Raft traffic between nodes (server and clients); empty: plaintext.
 *     Every member of a cluster must use the same choice.
 */
public record ClusterConfig(
        String nodeId,
        List<Peer> peers,
        Path raftDirectory,
        Duration electionTimeoutMin,
        long snapshotEveryEntries,
        boolean join,
        Optional<PeerTls> peerTls) {
    /** The default election timeout: long enough to ride out GC pauses on a loaded 2-core machine. */
    public static final Duration DEFAULT_ELECTION_TIMEOUT_MIN = Duration.ofMillis(200);

    /** The default snapshot interval, in Raft entries applied since the last snapshot. */
    public static final long DEFAULT_SNAPSHOT_EVERY_ENTRIES = 10_000;

    /** A configuration without peer TLS. */
    public ClusterConfig(
            String nodeId,
            List<Peer> peers,
            Path raftDirectory,
            Duration electionTimeoutMin,
            long snapshotEveryEntries,
            boolean join) {
        this(nodeId, peers, raftDirectory, electionTimeoutMin, snapshotEveryEntries, join, Optional.empty());
    }

    /** A founding member's configuration (not joining). */
    public ClusterConfig(
            String nodeId,
            List<Peer> peers,
            Path raftDirectory,
            Duration electionTimeoutMin,
            long snapshotEveryEntries) {
        this(nodeId, peers, raftDirectory, electionTimeoutMin, snapshotEveryEntries, false);
    }

    /** A configuration with the default snapshot interval. */
    public ClusterConfig(String nodeId, List<Peer> peers, Path raftDirectory, Duration electionTimeoutMin) {
        this(nodeId, peers, raftDirectory, electionTimeoutMin, DEFAULT_SNAPSHOT_EVERY_ENTRIES);
    }

    private static final Pattern NODE_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_-]{0,31}");

    /** One cluster member: its id and Raft (gRPC) address. */
    public record Peer(String id, String host, int port) {
        /** Checks the id and port. */
        public Peer {
            if (!NODE_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("node id must match " + NODE_ID + ", got \"" + id + "\"");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " of node " + id + " outside 1..65535");
            }
        }

        /** {@code host:port}. */
        public String address() {
            return host + ":" + port;
        }
    }

    /** Checks that the node is a member, ids are unique, and the timeout is within [50 ms, 60 s]. */
    public ClusterConfig {
        peers = List.copyOf(peers);
        Objects.requireNonNull(peerTls, "peerTls");
        Set<String> ids = new HashSet<>();
        for (Peer peer : peers) {
            if (!ids.add(peer.id())) {
                throw new IllegalArgumentException("node id " + peer.id() + " appears twice in the cluster");
            }
        }
        if (!ids.contains(nodeId)) {
            throw new IllegalArgumentException("node id " + nodeId + " is not one of the cluster members " + ids);
        }
        if (snapshotEveryEntries < 10 || snapshotEveryEntries > 100_000_000) {
            throw new IllegalArgumentException(
                    "snapshotEveryEntries " + snapshotEveryEntries + " outside [10, 100000000]");
        }
        long millis = electionTimeoutMin.toMillis();
        if (millis < 50 || millis > 60_000) {
            throw new IllegalArgumentException("electionTimeoutMin " + millis + " ms outside [50, 60000]");
        }
    }

    /** Parses one {@code host:port} Raft address of member {@code id}. */
    public static Peer parsePeer(String id, String address) {
        return parsePeers(id + "=" + address).getFirst();
    }

    /** The same configuration, joining a running cluster (see {@code join}). */
    public ClusterConfig joining() {
        return new ClusterConfig(nodeId, peers, raftDirectory, electionTimeoutMin, snapshotEveryEntries, true, peerTls);
    }

    /** The same configuration, with mutual TLS between nodes. */
    public ClusterConfig withPeerTls(PeerTls tls) {
        return new ClusterConfig(
                nodeId, peers, raftDirectory, electionTimeoutMin, snapshotEveryEntries, join, Optional.of(tls));
    }

    /**
     * Parses {@code n1=127.0.0.1:9001,n2=127.0.0.1:9002,...}.
     *
     * @throws IllegalArgumentException naming the member that is malformed
     */
    public static List<Peer> parsePeers(String spec) {
        List<Peer> peers = new ArrayList<>();
        for (String member : spec.split(",")) {
            String trimmed = member.strip();
            int eq = trimmed.indexOf('=');
            int colon = trimmed.lastIndexOf(':');
            if (eq < 1 || colon < eq + 2 || colon == trimmed.length() - 1) {
                throw new IllegalArgumentException("cluster member \"" + trimmed + "\" is not id=host:port");
            }
            int port;
            try {
                port = Integer.parseInt(trimmed.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("cluster member \"" + trimmed + "\" has a bad port", e);
            }
            peers.add(new Peer(trimmed.substring(0, eq), trimmed.substring(eq + 1, colon), port));
        }
        return peers;
    }

    /** This node's own entry. */
    public Peer self() {
        return peers.stream().filter(p -> p.id().equals(nodeId)).findFirst().orElseThrow();
    }
}
