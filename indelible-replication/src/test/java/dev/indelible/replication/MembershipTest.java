package dev.indelible.replication;

import static dev.indelible.replication.LocalCluster.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.log.AuditLog;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import dev.indelible.log.LogName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AutoClose;
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

    @AutoClose
    private LocalCluster cluster;

    @Test
    void addedNodeCatchesUpAndRemovedNodeLeavesTheCluster() throws Exception {
        cluster = new LocalCluster(dir, 3, 1, ClusterConfig.DEFAULT_SNAPSHOT_EVERY_ENTRIES).startAll();
        cluster.awaitLeader(WAIT);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            cluster.appendRecording(LOG, i, batch("before" + i, 5), sent);
        }
        cluster.awaitAllAt(LOG, sent.size(), WAIT);

        RaftNode joining = cluster.start(3);
        assertThat(joining.status().nodes())
                .as("a joining node is in no configuration yet")
                .isEmpty();
        // Added through a node that is not necessarily the leader: the change goes through Raft.
        ClusterStatus afterAdd =
                cluster.require(1).addMember("n4", cluster.peer(3).address());
        assertThat(afterAdd.nodes()).extracting(ClusterStatus.Node::id).containsExactly("n1", "n2", "n3", "n4");
        // Adding it again with the same address is a no-op; with another address it is refused.
        cluster.require(0).addMember("n4", cluster.peer(3).address());
        assertThatThrownBy(() -> cluster.require(0).addMember("n4", "127.0.0.1:1"))
                .isInstanceOf(IndelibleException.class)
                .satisfies(e -> assertThat(((IndelibleException) e).code()).isEqualTo(ErrorCode.INVALID_PARAMETER));

        cluster.appendRecording(LOG, 3, batch("via-n4", 4), sent);
        cluster.appendRecording(LOG, 0, batch("after-add", 4), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent, 4);
        LocalCluster.await(
                "n4 sees four members", WAIT, () -> joining.status().nodes().size() == 4);

        // Remove n3 through the new node; then stop it. Three of four remain: still a majority.
        ClusterStatus afterRemove = cluster.require(3).removeMember("n3");
        assertThat(afterRemove.nodes()).extracting(ClusterStatus.Node::id).containsExactly("n1", "n2", "n4");
        cluster.stop(2);
        assertThatThrownBy(() -> cluster.require(0).removeMember("n3"))
                .isInstanceOf(IndelibleException.class)
                .satisfies(e -> assertThat(((IndelibleException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
        for (int i : new int[] {0, 1, 3}) {
            cluster.appendRecording(LOG, i, batch("after-remove" + i, 3), sent);
        }
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent, 3);
        for (int i : new int[] {0, 1, 3}) {
            RaftNode node = cluster.require(i);
            LocalCluster.await(
                    node.nodeId() + " no longer lists n3",
                    WAIT,
                    () -> node.status().nodes().stream()
                            .map(ClusterStatus.Node::id)
                            .toList()
                            .equals(List.of("n1", "n2", "n4")));
        }

        // The new node survives a restart (it recovers its Raft storage; it does not join again).
        cluster.stop(3);
        cluster.appendRecording(LOG, 0, batch("n4-down", 2), sent);
        cluster.start(3);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent, 3);
    }

    @Test
    void aRestartFromASnapshotAfterAMembershipChangeRestoresTheAppliedMemberSet() throws Exception {
        // Election timeouts of 1 to 2 s: a leader cut off from its majority keeps leading long enough
        // (about 2 s) to append a configuration entry it can no longer commit.
        cluster = new LocalCluster(dir, 3, 1, 10)
                .withElectionTimeoutMin(Duration.ofSeconds(1))
                .startAll();
        List<byte[]> sent = new ArrayList<>();
        cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("before", 3), sent);
        cluster.start(3);
        cluster.require(cluster.awaitLeader(WAIT))
                .addMember("n4", cluster.peer(3).address());
        Set<String> applied = Set.of("n1", "n2", "n3", "n4");
        for (int i = 0; i < 4; i++) {
            RaftNode node = cluster.require(i);
            LocalCluster.await(
                    node.nodeId() + " applied the configuration with n4",
                    WAIT,
                    () -> node.members().equals(applied));
        }
        int leader = cluster.awaitLeader(WAIT);
        long changedAt = cluster.require(leader).status().appliedRaftIndex();
        for (int i = 0; i < 100 && cluster.latestSnapshotIndex(leader) < changedAt; i++) {
            cluster.appendRecording(LOG, leader, batch("fill-" + i, 1), sent);
        }
        LocalCluster.await(
                "a snapshot on the leader past the configuration change",
                WAIT,
                () -> cluster.latestSnapshotIndex(leader) >= changedAt);
        assertThat(cluster.awaitLeader(WAIT))
                .as("the same leader, so no configuration entry follows the snapshot")
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
        LocalCluster.await(
                "the cut-off leader holds a configuration without " + removed,
                WAIT,
                () -> !cutOff.raftConfigurationMembers().contains(removed));
        cluster.stop(others.get(2));
        cluster.stop(leader);
        assertThatThrownBy(() -> removal.get(60, TimeUnit.SECONDS))
                .as("the removal never commits")
                .hasCauseInstanceOf(IndelibleException.class);

        SnapshotFile.Contents snapshot =
                SnapshotFile.read(cluster.latestSnapshot(leader).orElseThrow());
        List<SnapshotFile.Member> members = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            members.add(new SnapshotFile.Member(
                    cluster.peer(i).id(), cluster.peer(i).address()));
        }
        assertThat(snapshot.members())
                .as("the snapshot records the applied members with their addresses")
                .isEqualTo(members);

        // Restarted alone: nothing after the snapshot is applied that changes the configuration.
        RaftNode restarted = cluster.start(leader);
        assertThat(restarted.raftConfigurationMembers())
                .as("Ratis recovered the later, uncommitted configuration")
                .doesNotContain(removed);
        LocalCluster.await(
                "the quorum's member set restored from the snapshot",
                Duration.ofSeconds(5),
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
        cluster = new LocalCluster(dir, 3, 1, 20)
                .withSegmentSizeMax(SizeInBytes.valueOf("4KB"))
                .startAll();
        List<byte[]> sent = new ArrayList<>();
        LocalCluster.StoppedFollower stopped = cluster.appendThenStopAFollower(LOG, sent, WAIT);
        int follower = stopped.node();
        cluster.start(3);
        cluster.require(cluster.awaitLeader(WAIT))
                .addMember("n4", cluster.peer(3).address());
        for (int i = 0; i < 60; i++) {
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("while-down-" + i, 3), sent);
        }
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        cluster.awaitLeaderPurgedPast(stopped.appliedRaftIndex(), WAIT);

        // The follower knows only the founders; the configuration with n4 lies behind the snapshot it installs.
        RaftNode installed = cluster.start(follower);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        LocalCluster.await(
                installed.nodeId() + " counts the members of the configuration with n4",
                WAIT,
                () -> installed.members().equals(Set.of("n1", "n2", "n3", "n4")));
        cluster.appendRecording(LOG, follower, batch("after-install", 4), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        // Byte-identical checkpoints: the follower published with the same quorum as the others.
        assertReplicasIdentical(sent, 4);
    }

    /** Every running replica: the same entries, roots and checkpoint bytes, cosigned by a majority of {@code members}. */
    private void assertReplicasIdentical(List<byte[]> sent, int members) {
        for (AuditLog replica : cluster.assertReplicasIdentical(LOG, sent, 1)) {
            byte[] note = replica.latestCheckpoint().orElseThrow().signedNote();
            assertThat(cluster.cosigners(note)).as("cosigners").hasSizeGreaterThanOrEqualTo(members / 2 + 1);
        }
    }
}
