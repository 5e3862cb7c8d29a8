package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.cosignature.CosignatureV1;
import dev.indelible.formats.note.NoteSignature;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.note.Notes;
import dev.indelible.formats.note.SignedNote;
import dev.indelible.log.AuditLog;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import dev.indelible.log.Leaf;
import dev.indelible.log.LogName;
import dev.indelible.log.PublishedCheckpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership change at run time, in this JVM on 127.0.0.1: a node started with {@code join} is
 * added, catches up from the leader's Raft log (the default snapshot interval is far above the
 * entries written, so nothing is purged) and holds byte-identical entries and checkpoints; a removed
 * node leaves the configuration and the rest keeps appending with its own majority. The member set
 * of the cosignature quorum survives a restart from a snapshot (recorded in it) and a snapshot
 * install.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MembershipTest {
    private static final LogName LOG = new LogName("audit");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private LocalCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void addedNodeCatchesUpAndRemovedNodeLeavesTheCluster() throws Exception {
        cluster = new LocalCluster(dir, 3, 1, ClusterConfig.DEFAULT_SNAPSHOT_EVERY_ENTRIES).startAll();
        cluster.awaitLeader(WAIT);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            appendRecording(i, batch("before" + i, 5), sent);
        }
        awaitAllAt(sent.size());

        RaftNode joining = cluster.start(3);
        assertThat(joining.status().nodes()).as("a joining node is in no configuration yet").isEmpty();
        // Added through a node that is not necessarily the leader: the change goes through Raft.
        ClusterStatus afterAdd = cluster.require(1).addMember("n4", cluster.peer(3).address());
        assertThat(afterAdd.nodes()).extracting(ClusterStatus.Node::id).containsExactly("n1", "n2", "n3", "n4");
        // Adding it again with the same address is a no-op; with another address it is refused.
        cluster.require(0).addMember("n4", cluster.peer(3).address());
        assertThatThrownBy(() -> cluster.require(0).addMember("n4", "127.0.0.1:1"))
                .isInstanceOf(IndelibleException.class)
                .satisfies(e -> assertThat(((IndelibleException) e).code()).isEqualTo(ErrorCode.INVALID_PARAMETER));

        appendRecording(3, batch("via-n4", 4), sent);
        appendRecording(0, batch("after-add", 4), sent);
        awaitAllAt(sent.size());
        assertReplicasIdentical(sent, 4);
        LocalCluster.await("n4 sees four members", WAIT, () -> joining.status().nodes().size() == 4);

        // Remove n3 through the new node; then stop it. Three of four remain: still a majority.
        ClusterStatus afterRemove = cluster.require(3).removeMember("n3");
        assertThat(afterRemove.nodes()).extracting(ClusterStatus.Node::id).containsExactly("n1", "n2", "n4");
        cluster.stop(2);
        assertThatThrownBy(() -> cluster.require(0).removeMember("n3"))
                .isInstanceOf(IndelibleException.class)
                .satisfies(e -> assertThat(((IndelibleException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
        for (int i : new int[] {0, 1, 3}) {
            appendRecording(i, batch("after-remove" + i, 3), sent);
        }
        awaitAllAt(sent.size());
        assertReplicasIdentical(sent, 3);
        for (int i : new int[] {0, 1, 3}) {
            RaftNode node = cluster.require(i);
            LocalCluster.await(node.nodeId() + " no longer lists n3", WAIT,
                    () -> node.status().nodes().stream().map(ClusterStatus.Node::id).toList().equals(List.of("n1", "n2", "n4")));
        }

        // The new node survives a restart (it recovers its Raft storage; it does not join again).
        cluster.stop(3);
        appendRecording(0, batch("n4-down", 2), sent);
        cluster.start(3);
        awaitAllAt(sent.size());
        assertReplicasIdentical(sent, 3);
    }

    @Test
    void aRestartFromASnapshotAfterAMembershipChangeRestoresTheAppliedMemberSet() throws Exception {
        // Election timeouts of 1 to 2 s: a leader cut off from its majority keeps leading long enough
        // (about 2 s) to append a configuration entry it can no longer commit.
        cluster = new LocalCluster(dir, 3, 1, 10).withElectionTimeoutMin(Duration.ofSeconds(1)).startAll();
        List<byte[]> sent = new ArrayList<>();
        appendRecording(cluster.awaitLeader(WAIT), batch("before", 3), sent);
        cluster.start(3);
        cluster.require(cluster.awaitLeader(WAIT)).addMember("n4", cluster.peer(3).address());
        Set<String> applied = Set.of("n1", "n2", "n3", "n4");
        for (int i = 0; i < 4; i++) {
            RaftNode node = cluster.require(i);
            LocalCluster.await(node.nodeId() + " applied the configuration with n4", WAIT, () -> node.members().equals(applied));
        }
        int leader = cluster.awaitLeader(WAIT);
        long changedAt = cluster.require(leader).status().appliedRaftIndex();
        for (int i = 0; i < 100 && latestSnapshotIndex(leader) < changedAt; i++) {
            appendRecording(leader, batch("fill-" + i, 1), sent);
        }
        LocalCluster.await("a snapshot on the leader past the configuration change", WAIT,
                () -> latestSnapshotIndex(leader) >= changedAt);
        assertThat(cluster.awaitLeader(WAIT)).as("the same leader, so no configuration entry follows the snapshot")
                .isEqualTo(leader);

        // Cut the leader off from its majority and ask it to remove a member: it appends the
        // configuration entry (Ratis then uses it as its configuration) but cannot commit it.
        List<Integer> others = new ArrayList<>(List.of(0, 1, 2, 3));
        others.remove(Integer.valueOf(leader));
        cluster.stop(others.get(0));
        cluster.stop(others.get(1));
        String removed = cluster.peer(others.get(0)).id();
        RaftNode cutOff = cluster.require(leader);
        CompletableFuture<ClusterStatus> removal = CompletableFuture.supplyAsync(() -> cutOff.removeMember(removed));
        LocalCluster.await("the cut-off leader holds a configuration without " + removed, WAIT,
                () -> !cutOff.raftConfigurationMembers().contains(removed));
        cluster.stop(others.get(2));
        cluster.stop(leader);
        assertThatThrownBy(() -> removal.get(60, TimeUnit.SECONDS))
                .as("the removal never commits")
                .hasCauseInstanceOf(IndelibleException.class);

        SnapshotFile.Contents snapshot = SnapshotFile.read(latestSnapshot(leader).orElseThrow());
        List<SnapshotFile.Member> members = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            members.add(new SnapshotFile.Member(cluster.peer(i).id(), cluster.peer(i).address()));
        }
        assertThat(snapshot.members()).as("the snapshot records the applied members with their addresses")
                .isEqualTo(members);

        // Restarted alone: nothing after the snapshot is applied that changes the configuration.
        RaftNode restarted = cluster.start(leader);
        assertThat(restarted.raftConfigurationMembers())
                .as("Ratis recovered the later, uncommitted configuration")
                .doesNotContain(removed);
        LocalCluster.await("the quorum's member set restored from the snapshot", Duration.ofSeconds(5),
                () -> restarted.members().equals(applied));
        assertThat(restarted.members()).isEqualTo(applied);
    }

    /**
     * The install path ends with the member set applied at the installed snapshot. Ratis itself
     * also tells the follower the leader's configuration while installing, so this passes without
     * the snapshot's member set too; it guards against restoring a wrong one (after that
     * notification, {@code reinitialize} has the last word).
     */
    @Test
    void aFollowerThatInstallsASnapshotAfterAMembershipChangePublishesWithTheNewQuorum() throws Exception {
        cluster = new LocalCluster(dir, 3, 1, 20).withSegmentSizeMax(SizeInBytes.valueOf("4KB")).startAll();
        List<byte[]> sent = new ArrayList<>();
        appendRecording(cluster.awaitLeader(WAIT), batch("first", 5), sent);
        awaitAllAt(sent.size());
        int follower = (cluster.awaitLeader(WAIT) + 1) % 3;
        long followerApplied = cluster.require(follower).status().appliedRaftIndex();
        cluster.stop(follower);
        cluster.start(3);
        cluster.require(cluster.awaitLeader(WAIT)).addMember("n4", cluster.peer(3).address());
        for (int i = 0; i < 60; i++) {
            appendRecording(cluster.awaitLeader(WAIT), batch("while-down-" + i, 3), sent);
        }
        awaitAllAt(sent.size());
        LocalCluster.await("the leader purged its Raft log past the stopped follower", WAIT, () -> {
            try {
                return cluster.require(cluster.awaitLeader(WAIT)).raftLogStartIndex() > followerApplied + 1;
            } catch (java.io.IOException e) {
                return false;
            }
        });

        // The follower knows only the founders; the configuration with n4 lies behind the snapshot it installs.
        RaftNode installed = cluster.start(follower);
        awaitAllAt(sent.size());
        LocalCluster.await(installed.nodeId() + " counts the members of the configuration with n4", WAIT,
                () -> installed.members().equals(Set.of("n1", "n2", "n3", "n4")));
        appendRecording(follower, batch("after-install", 4), sent);
        awaitAllAt(sent.size());
        // Byte-identical checkpoints: the follower published with the same quorum as the others.
        assertReplicasIdentical(sent, 4);
    }

    private long latestSnapshotIndex(int node) {
        return latestSnapshot(node).map(MembershipTest::snapshotIndex).orElse(-1L);
    }

    private static long snapshotIndex(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(name.indexOf('_') + 1));
    }

    /** The snapshot file of node {@code node} with the highest Raft index. */
    private Optional<Path> latestSnapshot(int node) {
        try (var files = Files.walk(cluster.dataDirectory(node).resolve("raft"))) {
            return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+"))
                    .max(Comparator.comparingLong(MembershipTest::snapshotIndex));
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private long append(int node, List<Leaf> leaves) throws Exception {
        AuditLog log = cluster.require(node).logs().getOrCreate(LOG);
        return log.append(leaves).get(30, TimeUnit.SECONDS).get(0).leafIndex();
    }

    private void appendRecording(int node, List<Leaf> leaves, List<byte[]> sent) throws Exception {
        long first = append(node, leaves);
        assertThat(first).as("first leaf index").isEqualTo(sent.size());
        leaves.forEach(leaf -> sent.add(leaf.bytes()));
    }

    private static List<Leaf> batch(String tag, int count) {
        List<Leaf> leaves = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            leaves.add(Leaf.of(("{\"tag\":\"" + tag + "\",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return leaves;
    }

    private int runningNodes() {
        int running = 0;
        for (int i = 0; i < cluster.size(); i++) {
            running += cluster.node(i).isPresent() ? 1 : 0;
        }
        return running;
    }

    private void awaitAllAt(long size) {
        LocalCluster.await("every node at tree size " + size + " with a checkpoint", WAIT, () -> {
            List<AuditLog> replicas = cluster.replicas(LOG);
            if (replicas.size() < runningNodes()) {
                return false;
            }
            for (AuditLog log : replicas) {
                if (log.head().treeSize() != size
                        || log.latestCheckpoint().map(PublishedCheckpoint::treeSize).orElse(0L) != size) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Every running replica: the same entries, roots and checkpoint bytes, cosigned by a majority of {@code members}. */
    private void assertReplicasIdentical(List<byte[]> sent, int members) {
        List<AuditLog> replicas = cluster.replicas(LOG);
        assertThat(replicas).hasSize(runningNodes());
        AuditLog first = replicas.get(0);
        for (AuditLog replica : replicas) {
            assertThat(replica.head()).isEqualTo(first.head());
            assertThat(replica.failure()).isEmpty();
            for (int i = 0; i < sent.size(); i++) {
                assertThat(replica.entry(i)).as("entry %d", i).isEqualTo(sent.get(i));
            }
            for (long size = 1; size <= sent.size(); size++) {
                assertThat(replica.rootHash(size)).isEqualTo(first.rootHash(size));
            }
            byte[] note = replica.latestCheckpoint().orElseThrow().signedNote();
            assertThat(Arrays.equals(note, first.latestCheckpoint().orElseThrow().signedNote()))
                    .as("byte-identical checkpoints")
                    .isTrue();
            assertThat(cosigners(note)).as("cosigners").isGreaterThanOrEqualTo(members / 2 + 1);
        }
    }

    private int cosigners(byte[] note) {
        SignedNote parsed = Notes.parse(note);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < cluster.size(); i++) {
            String key = cluster.cosignerKey(i);
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
        return names.size();
    }
}
