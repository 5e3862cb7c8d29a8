package dev.indelible.replication;

import static dev.indelible.replication.LocalCluster.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.note.Notes;
import dev.indelible.formats.note.SignedNote;
import dev.indelible.log.Appended;
import dev.indelible.log.AuditLog;
import dev.indelible.log.IndelibleException;
import dev.indelible.log.Leaf;
import dev.indelible.log.LogName;
import dev.indelible.log.PublishedCheckpoint;
import dev.indelible.log.envelope.PreparedEntry;
import dev.indelible.storage.io.FaultyFileIO;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three Ratis servers in this JVM on 127.0.0.1: election, replication, failover, catch-up. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterTest {
    private static final LogName LOG = new LogName("audit");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @AutoClose
    private LocalCluster cluster;

    @Test
    void appendsViaAnyNodeReachEveryReplicaByteIdentical() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        cluster.awaitLeader(WAIT);
        List<byte[]> sent = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 3; i++) {
                List<Leaf> batch = batch("r" + round + "n" + i, 5);
                long first = cluster.append(LOG, i, batch);
                assertThat(first).isEqualTo(sent.size());
                batch.forEach(leaf -> sent.add(leaf.bytes()));
            }
        }
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
    }

    @Test
    void theLeadersOwnProposalsGoStraightToItsRaftServerAndFollowersForwardThem() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        int leader = cluster.awaitLeader(WAIT);
        int follower = (leader + 1) % 3;
        List<byte[]> sent = new ArrayList<>();
        cluster.appendRecording(LOG, leader, batch("at-leader", 4), sent);
        cluster.appendRecording(LOG, follower, batch("at-follower", 4), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);

        // The leader's appends, seals and cosignatures went to its own server; the follower's
        // append went through its Raft client.
        assertThat(cluster.awaitLeader(WAIT)).isEqualTo(leader);
        assertThat(cluster.require(leader).selfSubmissions()).isPositive();
        assertThat(cluster.require(follower).selfSubmissions()).isZero();
        // The leader applied the commands it built (no expanding and decoding of its own entries, its
        // leaf hashes taken from the prepared request); the followers decoded every entry. Replicas
        // agreeing byte for byte and hash for hash shows both paths apply the same thing.
        assertThat(cluster.require(leader).ownCommandsApplied()).isPositive();
        assertThat(cluster.require(follower).ownCommandsApplied()).isZero();
        assertThat(cluster.require(leader).ownProposalsWaiting()).isZero();
        assertReplicasIdentical(sent);
    }

    @Test
    void aProposalItsOwnServerRefusesAsNotLeaderIsResentToTheLeaderUnderTheSameCallId() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        List<byte[]> sent = new ArrayList<>();
        int leader = cluster.awaitLeader(WAIT);
        cluster.appendRecording(LOG, leader, batch("before", 3), sent);
        RaftNode follower = cluster.require((leader + 1) % 3);
        List<Leaf> leaves = batch("refused-then-resent", 5);
        Command.Append append = appendCommand(leaves);

        Reply first = follower.proposeAsLeader(append, 1_000_001).get(30, TimeUnit.SECONDS);
        assertThat(first.ok()).as(first.reason()).isTrue();
        assertThat(first.value()).isEqualTo(sent.size());
        assertThat(follower.selfRefusals()).isEqualTo(1);
        assertThat(follower.selfSubmissions()).isZero();
        assertThat(follower.ownProposalsWaiting()).isZero();
        assertThat(follower.ownCommandsApplied()).isZero();
        leaves.forEach(leaf -> sent.add(leaf.bytes()));
        cluster.awaitAllAt(LOG, sent.size(), WAIT);

        // The same call again (as after a lost reply): the leader answers from its retry cache.
        Reply again = follower.proposeAsLeader(append, 1_000_001).get(30, TimeUnit.SECONDS);
        assertThat(again.value()).isEqualTo(first.value());
        // A new call id with the same entries is a new append: the dedup is by call, not by content.
        Reply fresh = follower.proposeAsLeader(append, 1_000_002).get(30, TimeUnit.SECONDS);
        assertThat(fresh.value()).isEqualTo(sent.size());
        leaves.forEach(leaf -> sent.add(leaf.bytes()));
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
    }

    /**
     * A resent proposal reaches a new leader that has the original entry in its Raft log but has not
     * applied it yet, so its retry cache does not know the call. Ratis refuses writes as "not ready"
     * until the new leader has applied its first entry of the term, and with it every earlier one;
     * the resend waits that out and is answered from the retry cache: the entry is not appended twice.
     */
    @Test
    void aProposalResentToANewLeaderThatHasNotAppliedItIsAnsweredFromItsRetryCacheNotAppendedTwice() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        List<byte[]> sent = new ArrayList<>();
        int leader = cluster.awaitLeader(WAIT);
        cluster.appendRecording(LOG, leader, batch("before", 3), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        int slow = (leader + 1) % 3;
        CountDownLatch gate = new CountDownLatch(1);
        try {
            cluster.require(slow).holdApplies(gate);
            List<Leaf> leaves = batch("once", 4);
            Command.Append append = appendCommand(leaves);
            RaftNode old = cluster.require(leader);
            Reply first = old.proposeAsLeader(append, 2_000_001).get(30, TimeUnit.SECONDS);
            assertThat(first.ok()).as(first.reason()).isTrue();
            assertThat(first.value()).isEqualTo(sent.size());
            leaves.forEach(leaf -> sent.add(leaf.bytes()));

            // The slow node has the entry in its Raft log, unapplied, and takes over the lead.
            assertThat(old.handOffLeadership(
                            RaftPeerId.valueOf(cluster.peer(slow).id()), Duration.ofSeconds(10)))
                    .isTrue();
            CompletableFuture<Reply> again = old.proposeAsLeader(append, 2_000_001);
            Thread.sleep(1_000);
            assertThat(again)
                    .as("answered before the new leader applied the entry")
                    .isNotDone();
            gate.countDown();
            assertThat(again.get(30, TimeUnit.SECONDS).value()).isEqualTo(first.value());
        } finally {
            gate.countDown();
        }
        assertThat(cluster.awaitLeader(WAIT)).isEqualTo(slow);
        cluster.appendRecording(LOG, slow, batch("after", 2), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
    }

    /**
     * A leader hands its leadership over (as before a planned stop) while appends keep arriving at
     * it and at a follower: the members refuse them as stepping down or not yet ready, the nodes
     * resend them to the new leader, and every append succeeds, once.
     */
    @Test
    void appendsArrivingWhileTheLeaderHandsOverItsLeadershipAllSucceedOnce() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        int leader = cluster.awaitLeader(WAIT);
        int follower = (leader + 1) % 3;
        Map<Long, byte[]> entries = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger appended = new AtomicInteger();
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int node : new int[] {leader, follower}) {
            writers.add(CompletableFuture.runAsync(() -> {
                for (int round = 0; !stop.get(); round++) {
                    List<Leaf> leaves = batch("n" + node + "r" + round, 3);
                    try {
                        long first = cluster.append(LOG, node, leaves);
                        for (int i = 0; i < leaves.size(); i++) {
                            entries.put(first + i, leaves.get(i).bytes());
                        }
                        appended.incrementAndGet();
                    } catch (Exception e) {
                        throw new AssertionError("append through node " + node + " failed", e);
                    }
                }
            }));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new));
        LocalCluster.await("appends flowing", WAIT, () -> appended.get() >= 20 || all.isDone());
        // The wait of a planned stop's hand-off is one election timeout; a test must not depend on it.
        assertThat(cluster.require(leader)
                        .handOffLeadership(
                                RaftPeerId.valueOf(cluster.peer(follower).id()), Duration.ofSeconds(10)))
                .isTrue();
        int before = appended.get();
        LocalCluster.await(
                "appends flowing under the new leader", WAIT, () -> appended.get() >= before + 20 || all.isDone());
        stop.set(true);
        all.get(60, TimeUnit.SECONDS); // throws a writer's failure

        assertThat(cluster.awaitLeader(WAIT)).isEqualTo(follower);
        assertThat(cluster.require(leader).handOffLeadership())
                .as("a follower has nothing to hand off")
                .isFalse();
        cluster.awaitAllAt(LOG, entries.size(), WAIT);
        cluster.assertReplicasIdentical(LOG, entries, 7);
    }

    @Test
    void raftLogSegmentsGrowWithTheirEntriesNotMegabytesOfZerosAhead() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("grow" + i, 20), sent);
        }
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        for (int i = 0; i < 3; i++) {
            List<Path> open;
            try (var files = Files.walk(cluster.dataDirectory(i).resolve("raft"))) {
                open = files.filter(f -> f.getFileName().toString().startsWith("log_inprogress_"))
                        .toList();
            }
            assertThat(open).as("node %d's open Raft log segment", i).hasSize(1);
            // Ratis's default would have extended it by 4 MB of zeros at its first write.
            assertThat(Files.size(open.get(0)))
                    .as("size of %s", open.get(0))
                    .isLessThanOrEqualTo(RaftNode.PREALLOCATED_SIZE.getSize() * 4);
        }
    }

    @Test
    void appendsTravelCompressedThroughTheRaftLogAndEveryReplicaAppliesTheSameEntries() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        List<byte[]> sent = new ArrayList<>();
        int leader = cluster.awaitLeader(WAIT);
        int late = (leader + 2) % 3;
        long eventBytes = 0;
        for (int round = 0; round < 8; round++) {
            if (round == 4) {
                cluster.stop(late); // it catches up later from the leader's compressed entries
            }
            List<Leaf> leaves = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                leaves.add(Leaf.of(("{\"kind\":\"Event\",\"stage\":\"ResponseComplete\",\"verb\":\"create\","
                                + "\"user\":{\"username\":\"system:serviceaccount:kube-system:replicaset-controller\"},"
                                + "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"team-" + (i % 17)
                                + "\",\"name\":\"web-" + round + "-" + i + "\"},\"responseStatus\":{\"code\":201}}")
                        .getBytes(StandardCharsets.UTF_8)));
            }
            eventBytes += leaves.stream().mapToLong(leaf -> leaf.bytes().length).sum();
            // through the leader and through a follower (which forwards the compressed entry)
            cluster.appendRecording(LOG, (leader + round % 2) % 3, leaves, sent);
        }
        cluster.start(late);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        // and once more from its own Raft log: without its stop-snapshot it re-applies every entry
        cluster.stop(late);
        deleteSnapshots(late);
        cluster.start(late);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        for (int i = 0; i < 3; i++) {
            long raftLogBytes;
            try (var files = Files.walk(cluster.dataDirectory(i).resolve("raft"))) {
                raftLogBytes = files.filter(f -> f.getFileName().toString().startsWith("log_"))
                        .mapToLong(f -> f.toFile().length())
                        .sum();
            }
            // plain, the Raft log would hold every event byte and more
            assertThat(raftLogBytes).as("node %d's Raft log bytes", i).isLessThan(eventBytes / 4);
        }
        assertReplicasIdentical(sent);
    }

    @Test
    void aCheckpointStuckInItsFsyncDoesNotHoldUpTheAppendsAppliedAfterIt() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        FaultyFileIO[] disks = startOnFaultyDisksWithFiveEntries(sent);
        int leader = cluster.awaitLeader(WAIT);
        for (FaultyFileIO disk : disks) {
            disk.holdForcesOf("checkpoints");
        }
        try {
            cluster.appendRecording(LOG, leader, batch("sealed", 5), sent);
            LocalCluster.await(
                    "each node storing the next checkpoint, its fsync held",
                    WAIT,
                    () -> Arrays.stream(disks).allMatch(disk -> disk.heldForces() == 1));
            // Stored on the apply thread, that checkpoint would hold every later append behind it.
            for (int i = 0; i < 6; i++) {
                cluster.appendRecording(LOG, (leader + i) % 3, batch("while-held-" + i, 3), sent);
            }
            awaitHeadsAt(sent.size());
            for (AuditLog replica : cluster.replicas(LOG)) {
                assertThat(replica.latestCheckpoint().orElseThrow().treeSize())
                        .as("nothing is published before it is stored")
                        .isEqualTo(5);
            }
        } finally {
            for (FaultyFileIO disk : disks) {
                disk.releaseForces();
            }
        }
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
    }

    /**
     * The crash that {@link #aCheckpointStuckInItsFsyncDoesNotHoldUpTheAppendsAppliedAfterIt} makes
     * possible: a follower applied the cosignature that completes a checkpoint, but the power fails
     * while that checkpoint's store waits in its fsync (the other nodes publish it). Its disk keeps
     * only what was fsync'd. Restarted, it replays the Raft log behind its last snapshot, stores and
     * publishes the very same checkpoint, and goes on like the others.
     */
    @Test
    void aFollowerThatLosesPowerBeforeStoringACheckpointPublishesItAfterRestart() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        FaultyFileIO[] disks = startOnFaultyDisksWithFiveEntries(sent);
        int leader = cluster.awaitLeader(WAIT);
        int victim = (leader + 1) % 3;
        disks[victim].holdForcesOf("checkpoints");
        cluster.appendRecording(LOG, leader, batch("sealed", 5), sent);
        LocalCluster.await(
                "the follower storing checkpoint 10, its fsync held", WAIT, () -> disks[victim].heldForces() == 1);
        LocalCluster.await(
                "the others publishing checkpoint 10",
                WAIT,
                () -> cluster.require(leader).logs().require(LOG).checkpoint(10).isPresent());
        assertThat(cluster.require(victim).logs().require(LOG).checkpoint(10))
                .as("not published before it is stored")
                .isEmpty();
        disks[victim].crashNow();
        disks[victim].releaseForces(); // the held fsync fails: the power is gone
        cluster.stop(victim);
        disks[victim].simulateCrashLosingUnsynced();

        cluster.start(victim);
        cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("after", 5), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertCheckpointHistoriesIdentical(sent.size());
        assertReplicasIdentical(sent);
    }

    /**
     * A snapshot is written beside the apply thread: while its file's fsync is held on the leader,
     * appends through the leader are still acknowledged, the held snapshot is not the latest, and
     * the Raft log is not purged behind it. Once the fsync goes through, the snapshot is published.
     * (With the snapshot written on the apply thread, the appends during the hold time out.)
     */
    @Test
    void appendsAreAcknowledgedWhileASnapshotIsWrittenAndNothingIsPurgedBehindIt() throws Exception {
        FaultyFileIO[] disks = {new FaultyFileIO(1), new FaultyFileIO(2), new FaultyFileIO(3)};
        cluster = new LocalCluster(dir, 3, 10)
                .withElectionTimeoutMin(Duration.ofSeconds(1))
                .withFileIO(i -> disks[i])
                .startAll();
        List<byte[]> sent = new ArrayList<>();
        int leader = cluster.awaitLeader(WAIT);
        long held;
        disks[leader].holdForcesOfNamesStartingWith("snapshot.");
        try {
            for (int i = 0; i < 12 && disks[leader].heldForces() == 0; i++) {
                cluster.appendRecording(LOG, leader, batch("before-" + i, 1), sent);
            }
            LocalCluster.await(
                    "the leader's snapshot file waiting in its fsync", WAIT, () -> disks[leader].heldForces() == 1);
            held = cluster.latestSnapshotIndex(leader);
            long logStart = raftLogStartIndex(leader);
            for (int i = 0; i < 25; i++) {
                cluster.appendRecording(LOG, leader, batch("during-" + i, 1), sent);
            }
            assertThat(disks[leader].heldForces())
                    .as("the snapshot still waits")
                    .isEqualTo(1);
            assertThat(cluster.latestSnapshotIndex(leader))
                    .as("no snapshot published")
                    .isEqualTo(held);
            assertThat(raftLogStartIndex(leader)).as("nothing purged").isEqualTo(logStart);
        } finally {
            disks[leader].releaseForces();
        }
        LocalCluster.await("the leader's snapshot published", WAIT, () -> cluster.latestSnapshotIndex(leader) > held);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
    }

    /**
     * A node's disk fails just as it stops: Ratis takes a last snapshot on the way out, whose fsync
     * of the entries fails. The log stops (fail-stop) and the node still closes; the exception once
     * reached Ratis's apply thread, which then retried the snapshot at full speed for ever and kept
     * the close waiting (found by NodeRestartSoak). Restarted on the rebooted disk, it catches up.
     */
    @Test
    void aNodeWhoseDiskFailsAsItStopsClosesAndCatchesUpAfterRestart() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        FaultyFileIO[] disks = startOnFaultyDisksWithFiveEntries(sent);
        int follower = (cluster.awaitLeader(WAIT) + 1) % 3;
        AuditLog replica = cluster.require(follower).logs().require(LOG);
        disks[follower].crashNow();
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> cluster.stop(follower));
        stopped.get(30, TimeUnit.SECONDS);
        assertThat(replica.failure())
                .hasValueSatisfying(reason -> assertThat(reason).contains("could not be made durable for a snapshot"));

        disks[follower].simulateCrash();
        cluster.start(follower);
        cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("after", 5), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
    }

    /** Three nodes, each on its own {@link FaultyFileIO}; five entries and a checkpoint of them everywhere. */
    private FaultyFileIO[] startOnFaultyDisksWithFiveEntries(List<byte[]> sent) throws Exception {
        FaultyFileIO[] disks = {new FaultyFileIO(1), new FaultyFileIO(2), new FaultyFileIO(3)};
        cluster = new LocalCluster(dir, 3).withFileIO(i -> disks[i]).startAll();
        cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("before", 5), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        return disks;
    }

    @Test
    void leaderKillElectsNewLeaderAndAppendsContinue() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        List<byte[]> sent = new ArrayList<>();
        cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("before", 10), sent);
        int leader = cluster.awaitLeader(WAIT);
        int survivor = (leader + 1) % 3;
        long killedAt = System.nanoTime();
        cluster.stop(leader);
        cluster.appendRecording(LOG, survivor, batch("after-kill", 1), sent);
        long failoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        System.out.println("failover: first append " + failoverMillis + " ms after the leader stopped");
        assertThat(cluster.awaitLeader(WAIT)).isNotEqualTo(leader);
        cluster.appendRecording(LOG, (leader + 2) % 3, batch("after-election", 10), sent);

        cluster.start(leader);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
    }

    @Test
    void restartedFollowerCatchesUpAndCheckpointsMatch() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        List<byte[]> sent = new ArrayList<>();
        int leader = cluster.awaitLeader(WAIT);
        cluster.appendRecording(LOG, leader, batch("first", 20), sent);
        int follower = (leader + 1) % 3;
        cluster.stop(follower);
        for (int i = 0; i < 10; i++) {
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("while-down-" + i, 7), sent);
        }
        cluster.start(follower);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
    }

    @Test
    void eachNodeSnapshotsAndPurgesByRaftLogBytesAtAPointOfItsOwn() throws Exception {
        // 1,000,000 entries never pass here: every snapshot below is one asked for by bytes.
        cluster = new LocalCluster(dir, 3, 1_000_000)
                .withSegmentSizeMax(SizeInBytes.valueOf("2KB"))
                .startAll();
        List<Long> thresholds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            thresholds.add(cluster.require(i).snapshotEveryBytes());
        }
        assertThat(Set.copyOf(thresholds)).as("one snapshot point per node").hasSize(3);
        assertThat(thresholds)
                .allSatisfy(bytes -> assertThat(bytes)
                        .isBetween(RaftNode.SEGMENTS_PER_PURGE * 2 * 1024, 2 * RaftNode.SEGMENTS_PER_PURGE * 2 * 1024));
        // A node publishes a snapshot when it asks for the next one (snapshots are written beside the
        // apply thread), so it purges once it has applied about twice its point: append until every
        // node has, at most 600 batches (≈ 100 KB of commands against points of at most 16 KB).
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; !everyNodeSnapshottedAndPurged(); i++) {
            assertThat(i)
                    .as("batches appended before every node snapshotted and purged")
                    .isLessThan(600);
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("bytes-" + i, 5), sent);
            cluster.awaitAllAt(LOG, sent.size(), WAIT);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(cluster.require(i).failure()).isEmpty();
        }
        assertReplicasIdentical(sent);
    }

    private boolean everyNodeSnapshottedAndPurged() throws java.io.IOException {
        for (int i = 0; i < 3; i++) {
            if (cluster.latestSnapshotIndex(i) <= 0 || cluster.require(i).raftLogStartIndex() <= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Starts three nodes that snapshot every 20 entries in 4 KB Raft segments (so that leaders purge
     * what a stopped follower lacks), {@code configure}d further, appends, and stops a follower.
     */
    private LocalCluster.StoppedFollower startThenStopAFollower(
            java.util.function.UnaryOperator<LocalCluster> configure, List<byte[]> sent) throws Exception {
        cluster = configure
                .apply(new LocalCluster(dir, 3, 20).withSegmentSizeMax(SizeInBytes.valueOf("4KB")))
                .startAll();
        return cluster.appendThenStopAFollower(LOG, sent, WAIT);
    }

    @Test
    void followerTheLeaderPurgedBehindInstallsTheLeadersSnapshotAndCatchesUp() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        LocalCluster.StoppedFollower stopped = startThenStopAFollower(configured -> configured, sent);
        int follower = stopped.node();
        List<PreparedEntry> large = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("while-down-" + i, 3), sent);
            if (i % 20 == 1) {
                // Large events, their bodies detached; the Raft entries carrying them are purged.
                large.add(appendLarge(
                        cluster.awaitLeader(WAIT), "while-down-" + i, (char) ('a' + i % 26), 70_000 + i, sent));
            }
        }
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        cluster.awaitLeaderPurgedPast(stopped.appliedRaftIndex(), WAIT);
        cluster.start(follower);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
        assertCheckpointHistoriesIdentical(sent.size());
        assertThat(cluster.require(follower).failure()).isEmpty();
        AuditLog caughtUp = cluster.require(follower).logs().require(LOG);
        for (PreparedEntry entry : large) {
            PreparedEntry.DetachedBody body = entry.detachedBody().orElseThrow();
            assertThat(caughtUp.body(body.sha256()))
                    .as(
                            "body %s on the follower that installed the snapshot",
                            body.sha256().hex())
                    .hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(body.bytes()));
        }
        cluster.appendRecording(LOG, follower, batch("after-install", 4), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
        AuditLog installed = cluster.require(follower).logs().require(LOG);
        assertThat(installed.entry(7)).isEqualTo(sent.get(7));
        assertThat(installed.inclusionProof(7, sent.size())).isNotEmpty();
    }

    /**
     * A leader that stepped down for want of a majority's heartbeat replies stands again after one
     * election timeout, not Ratis's default 10 s. Here it stepped down because both followers
     * stopped, and the one that returns lacks an entry the leader holds, so only the leader can win:
     * with the default wait nothing commits until 10 s after the step-down. (A new leader that is
     * slow to start its log appenders on a busy machine steps down the same way: `ClusterProcessIT`
     * saw two failovers of 11.5–11.9 s so.)
     */
    @Test
    void aLeaderThatLostItsMajorityStandsAgainWithinAnElectionTimeout() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        List<byte[]> sent = new ArrayList<>();
        int leader = cluster.awaitLeader(WAIT);
        cluster.appendRecording(LOG, leader, batch("before", 2), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        int returning = (leader + 1) % 3;
        cluster.stop(returning);
        // Committed by the leader and the other follower: the returning follower lacks it.
        cluster.appendRecording(LOG, leader, batch("without-it", 1), sent);
        cluster.stop((leader + 2) % 3);
        LocalCluster.await(
                "the lone leader steps down",
                WAIT,
                () -> !cluster.require(leader).isLeader());
        long steppedDown = System.nanoTime();

        cluster.start(returning);
        cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("after", 2), sent);
        Duration unavailable = Duration.ofNanos(System.nanoTime() - steppedDown);
        assertThat(cluster.awaitLeader(WAIT))
                .as("the node holding every entry leads again")
                .isEqualTo(leader);
        assertThat(unavailable)
                .as("from the step-down to the next commit (Ratis's default wait alone is 10 s)")
                .isLessThan(Duration.ofSeconds(8));
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
    }

    /**
     * A follower far behind installs the leader's snapshot over a slow link: every catch-up reply
     * arrives 2.5 s after its query, later than the token gate's 2 s window whose client the queries
     * once shared (each query then timed out, the install was abandoned and started again for
     * ever). The install waits for slow replies as long as the queried node leads.
     */
    @Test
    void aFollowerInstallsTheLeadersSnapshotOverASlowLink() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        LocalCluster.StoppedFollower stopped = startThenStopAFollower(configured -> configured, sent);
        int follower = stopped.node();
        for (int i = 0; i < 60; i++) {
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("while-down-" + i, 3), sent);
        }
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        cluster.awaitLeaderPurgedPast(stopped.appliedRaftIndex(), WAIT);
        for (int i = 0; i < 3; i++) {
            if (i != follower) {
                cluster.require(i).delayCatchUpAnswers(Duration.ofMillis(2_500));
            }
        }
        assertThat(Duration.ofMillis(2_500)).isGreaterThan(RaftNode.TOKEN_VOUCH_WINDOW);

        cluster.start(follower);
        cluster.awaitAllAt(LOG, sent.size(), Duration.ofSeconds(120));
        assertThat(cluster.require(follower).failure()).isEmpty();
        assertReplicasIdentical(sent);
        assertCheckpointHistoriesIdentical(sent.size());
    }

    /**
     * The leader dies while a follower installs its snapshot: the follower has fetched the entries
     * and syncs them (its fsync held) when the leader stops, so its next query, for the checkpoints,
     * finds the leader gone. That is no fault of the follower's: it must not stop, but install again
     * from the next leader, and end byte-identical to the others.
     */
    @Test
    void aFollowerWhoseLeaderDiesDuringItsInstallCatchesUpFromTheNextLeader() throws Exception {
        leaderStopsDuringAnInstall(false, ".seg");
    }

    /**
     * As above, but the next leader has not purged what the follower lacks (its snapshots are held
     * in their fsync), so it does not ask for an install: the follower abandons the one it started,
     * whose entries it has partly stored already, and catches up by the next leader's appends —
     * applying entries its segments already hold, which it must check rather than append again.
     */
    @Test
    void aFollowerWhoseLeaderDiesDuringItsInstallCatchesUpByTheNextLeadersAppends() throws Exception {
        leaderStopsDuringAnInstall(true, ".seg");
    }

    /**
     * As above, but the leader stops once the follower has fetched everything and stores the fetched
     * checkpoints (that fsync held). Reported done now, the install would wait for a notification
     * the next leader never sends, refusing its appends meanwhile: the follower must find the
     * leader gone before it reports the install done (found by NodeRestartSoak, seed 7).
     */
    @Test
    void aFollowerWhoseLeaderDiesAsItsInstallEndsCatchesUpByTheNextLeadersAppends() throws Exception {
        leaderStopsDuringAnInstall(true, "checkpoints");
    }

    /**
     * As above, but the leader stops after its last answer, while the follower stores the installed
     * snapshot (that fsync held): the install is reported done with nobody left to send the
     * notification Ratis completes it at, and the next leader, which purged nothing, does not send
     * one. The node completes the install itself once it sees a leader of a later term
     * (InstallFinisher); without that, the next leader's appends are refused and nothing commits
     * with the old leader down (NodeRestartSoak, session 12, round 9).
     */
    @Test
    void aFollowerWhoseLeaderDiesAfterItsInstallsLastQueryCatchesUpByTheNextLeadersAppends() throws Exception {
        leaderStopsDuringAnInstall(true, "snapshot.", ".tmp");
    }

    /**
     * The follower's install is held in the fsync of its file(s) named {@code ...heldFileSuffix}
     * (".seg": the fetched entries, before it asks for checkpoints; "checkpoints": the fetched
     * checkpoints, after its last query) while the leader stops.
     */
    private void leaderStopsDuringAnInstall(boolean nextLeaderPurgesNothing, String heldFileSuffix) throws Exception {
        leaderStopsDuringAnInstall(nextLeaderPurgesNothing, "", heldFileSuffix);
    }

    /** As above, for the files whose name also starts with {@code heldFilePrefix}. */
    private void leaderStopsDuringAnInstall(
            boolean nextLeaderPurgesNothing, String heldFilePrefix, String heldFileSuffix) throws Exception {
        FaultyFileIO[] disks = {new FaultyFileIO(1), new FaultyFileIO(2), new FaultyFileIO(3)};
        List<byte[]> sent = new ArrayList<>();
        LocalCluster.StoppedFollower stopped =
                startThenStopAFollower(configured -> configured.withFileIO(i -> disks[i]), sent);
        int follower = stopped.node();
        int leader = cluster.awaitLeader(WAIT);
        int next = 3 - leader - follower;
        if (nextLeaderPurgesNothing) {
            disks[next].holdForcesOfNamesStartingWith("snapshot.");
        }
        for (int i = 0; i < 60; i++) {
            cluster.appendRecording(LOG, leader, batch("while-down-" + i, 3), sent);
        }
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        cluster.awaitLeaderPurgedPast(stopped.appliedRaftIndex(), WAIT);
        if (nextLeaderPurgesNothing) {
            assertThat(raftLogStartIndex(next))
                    .as("the next leader's Raft log start")
                    .isLessThanOrEqualTo(stopped.appliedRaftIndex() + 1);
        }

        cluster.start(follower);
        // Armed once it has started (its start syncs these files too), well before the install has
        // fetched the snapshot and the entries.
        disks[follower].holdForcesOfNamesMatching(
                name -> name.startsWith(heldFilePrefix) && name.endsWith(heldFileSuffix));
        LocalCluster.await(
                "the follower's install in an fsync of " + heldFileSuffix + ", held",
                WAIT,
                () -> disks[follower].heldForces() > 0);
        cluster.stop(leader);
        disks[follower].releaseForces();

        cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("after-leader-died", 4), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertThat(cluster.require(follower).failure()).isEmpty();
        disks[next].releaseForces();
        cluster.start(leader);
        cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("all-back", 2), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
        assertCheckpointHistoriesIdentical(sent.size());
    }

    /**
     * A rolling restart of the leader: its Raft log ends exactly where its term ends. The next leader
     * starts a Raft log segment at the following index, then snapshots and purges the closed segment
     * before it, so its log starts right after the returning node's last entry while its latest
     * snapshot is later still. The leader's log appender cannot name the entry before the first one
     * it would send: Ratis 3.2.2's appender thread died there for good; 3.3.0 tells the follower to
     * install a snapshot instead (docs/design/replication.md, "The entry before a follower's next
     * index").
     */
    @Test
    void formerLeaderWhoseLogEndsWhereTheNewLeaderPurgedCatchesUp() throws Exception {
        // Longer election timeouts: a further leader change would start another segment, and the
        // purge could then move the new leader's log start past the former leader's last entry.
        cluster = new LocalCluster(dir, 3, 10)
                .withElectionTimeoutMin(Duration.ofSeconds(1))
                .startAll();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("before-" + i, 2), sent);
        }
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        long termEnd = awaitRaftLogsAlike();
        int former = cluster.awaitLeader(WAIT);
        cluster.stop(former);
        for (int i = 0; i < 40; i++) {
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("while-down-" + i, 1), sent);
        }
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        LocalCluster.await(
                "the new leader's Raft log to start right after the former leader's last entry " + termEnd,
                WAIT,
                () -> raftLogStartIndex(cluster.awaitLeader(WAIT)) == termEnd + 1);
        assertThat(cluster.latestSnapshotIndex(cluster.awaitLeader(WAIT)))
                .as("the new leader's latest snapshot index")
                .isGreaterThan(termEnd);
        cluster.start(former);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        cluster.appendRecording(LOG, former, batch("after", 2), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
        assertThat(cluster.require(former).failure()).isEmpty();
    }

    /**
     * Waits until no Raft entry is in flight: every running node's Raft log ends at the same index
     * and has applied it, twice in a row half a second apart. Returns that index.
     */
    private long awaitRaftLogsAlike() {
        long[] seen = {-2};
        LocalCluster.await("every node's Raft log at one applied index", WAIT, () -> {
            long last = -1;
            for (int i = 0; i < cluster.size(); i++) {
                Optional<RaftNode> node = cluster.node(i);
                if (node.isEmpty()) {
                    continue;
                }
                try {
                    long index = node.get().raftLogLastIndex();
                    if ((last >= 0 && index != last) || node.get().status().appliedRaftIndex() != index) {
                        seen[0] = -2;
                        return false;
                    }
                    last = index;
                } catch (java.io.IOException e) {
                    return false;
                }
            }
            boolean settled = last == seen[0];
            seen[0] = last;
            LocalCluster.sleep(settled ? 0 : 500);
            return settled;
        });
        return seen[0];
    }

    private long raftLogStartIndex(int node) {
        try {
            return cluster.require(node).raftLogStartIndex();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    @Test
    void followerWhoseUnsyncedSegmentTailWasDamagedReappliesItFromTheRaftLog() throws Exception {
        // No checkpoint during the test: every entry is past the latest checkpoint, so no apply
        // fsync'd it; an OS crash may have written later pages of the segment but not earlier ones.
        cluster = new LocalCluster(dir, 3)
                .withCheckpointInterval(Duration.ofHours(1))
                .startAll();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("b" + i, 10), sent);
        }
        awaitHeadsAt(sent.size());
        int follower = (cluster.awaitLeader(WAIT) + 1) % 3;
        cluster.stop(follower);
        // A clean stop snapshots (fsync'ing the segments first); a crash would not have: drop it.
        deleteSnapshots(follower);
        assertThat(snapshotCount(follower)).isZero();
        Path segment;
        try (var files =
                java.nio.file.Files.walk(cluster.dataDirectory(follower).resolve("logs"))) {
            segment =
                    files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        flipPayloadByte(segment, 20);

        cluster.start(follower);
        awaitHeadsAt(sent.size());
        AuditLog repaired = cluster.require(follower).logs().require(LOG);
        assertThat(repaired.failure()).isEmpty();
        for (int i = 0; i < sent.size(); i++) {
            assertThat(repaired.entry(i)).as("entry %d", i).isEqualTo(sent.get(i));
        }
        AuditLog leaderLog = cluster.require(cluster.awaitLeader(WAIT)).logs().require(LOG);
        assertThat(repaired.rootHash(sent.size())).isEqualTo(leaderLog.rootHash(sent.size()));
        cluster.appendRecording(LOG, follower, batch("after", 3), sent);
        awaitHeadsAt(sent.size());
        assertThat(repaired.entry(sent.size() - 1)).isEqualTo(sent.get(sent.size() - 1));
    }

    @Test
    void replicasFsyncAppliedEntriesInTheBackgroundWithoutWaitingForACheckpoint() throws Exception {
        // Replicas apply without fsync; the entry syncer fsyncs behind the apply thread so that a
        // checkpoint seldom has to. No checkpoint and no segment roll happens during this test.
        cluster = new LocalCluster(dir, 3)
                .withCheckpointInterval(Duration.ofHours(1))
                .startAll();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("s" + i, 25), sent);
        }
        awaitHeadsAt(sent.size());
        LocalCluster.await(
                "every replica fsync'd all " + sent.size() + " entries",
                WAIT,
                () -> cluster.replicas(LOG).stream().allMatch(log -> log.fsyncedEntries() == sent.size()));
        for (AuditLog replica : cluster.replicas(LOG)) {
            assertThat(replica.latestCheckpoint()).isEmpty();
        }
    }

    /** Flips the last payload byte of record {@code ordinal} of a segment file ([u32 len][u32 crc][bytes] after a 16-byte header). */
    private static void flipPayloadByte(Path segment, int ordinal) throws java.io.IOException {
        byte[] file = java.nio.file.Files.readAllBytes(segment);
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(file);
        int offset = 16;
        for (int i = 0; i < ordinal; i++) {
            offset += 8 + buffer.getInt(offset);
        }
        int at = offset + 8 + buffer.getInt(offset) - 1;
        file[at] ^= 0x01;
        java.nio.file.Files.write(segment, file);
    }

    /** Waits until every running node has applied {@code size} entries (checkpoints or not). */
    private void awaitHeadsAt(long size) {
        LocalCluster.await("every node at tree size " + size, WAIT, () -> {
            List<AuditLog> replicas = cluster.replicas(LOG);
            return replicas.size() == cluster.runningNodes()
                    && replicas.stream().allMatch(log -> log.head().treeSize() == size);
        });
    }

    @Test
    void concurrentRequestsAreGroupCommittedYetEachKeepsItsOwnPositionsAndRetries() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        int follower = (cluster.awaitLeader(WAIT) + 1) % 3;
        AuditLog log = cluster.require(follower).logs().getOrCreate(LOG);
        int requests = 200;
        List<java.util.concurrent.CompletableFuture<List<Appended>>> sent = new ArrayList<>();
        List<List<Leaf>> batches = new ArrayList<>();
        for (int r = 0; r < requests; r++) {
            List<Leaf> leaves = batch("req" + r, 1 + r % 3);
            batches.add(leaves);
            List<Optional<String>> ids = new ArrayList<>();
            for (int i = 0; i < leaves.size(); i++) {
                ids.add(Optional.of("id-" + r + "-" + i));
            }
            sent.add(log.append(leaves, ids, List.of()));
        }
        java.util.Map<Long, byte[]> byLeaf = new java.util.HashMap<>();
        for (int r = 0; r < requests; r++) {
            List<Appended> appended = sent.get(r).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < appended.size(); i++) {
                assertThat(appended.get(i).leafIndex())
                        .isEqualTo(appended.get(0).leafIndex() + i);
                assertThat(byLeaf.put(
                                appended.get(i).leafIndex(),
                                batches.get(r).get(i).bytes()))
                        .isNull();
            }
        }
        long total = byLeaf.size();
        cluster.awaitAllAt(LOG, total, WAIT);
        for (AuditLog replica : cluster.replicas(LOG)) {
            for (java.util.Map.Entry<Long, byte[]> entry : byLeaf.entrySet()) {
                assertThat(replica.entry(entry.getKey())).isEqualTo(entry.getValue());
            }
        }
        // Fewer Raft entries than requests: they were grouped (seals and cosignatures add a few).
        long raftEntries = cluster.require(follower).status().appliedRaftIndex();
        assertThat(raftEntries).as("raft entries for %d requests", requests).isLessThan(requests);

        // Retrying every request at once (grouped again) appends nothing and answers the originals.
        List<java.util.concurrent.CompletableFuture<List<Appended>>> retries = new ArrayList<>();
        for (int r = 0; r < requests; r++) {
            List<Optional<String>> ids = new ArrayList<>();
            for (int i = 0; i < batches.get(r).size(); i++) {
                ids.add(Optional.of("id-" + r + "-" + i));
            }
            retries.add(log.append(batch("retry" + r, batches.get(r).size()), ids, List.of()));
        }
        for (int r = 0; r < requests; r++) {
            assertThat(retries.get(r).get(30, TimeUnit.SECONDS).get(0).leafIndex())
                    .isEqualTo(sent.get(r).get().get(0).leafIndex());
        }
        assertThat(log.head().treeSize()).isEqualTo(total);
    }

    /** Every replica stored the same checkpoint notes at the same tree sizes. */
    private void assertCheckpointHistoriesIdentical(long upTo) {
        List<AuditLog> replicas = cluster.replicas(LOG);
        AuditLog first = replicas.get(0);
        int count = 0;
        for (long size = 1; size <= upTo; size++) {
            Optional<PublishedCheckpoint> want = first.checkpoint(size);
            count += want.isPresent() ? 1 : 0;
            for (AuditLog replica : replicas) {
                Optional<PublishedCheckpoint> have = replica.checkpoint(size);
                assertThat(have.isPresent())
                        .as("checkpoint at %d present", size)
                        .isEqualTo(want.isPresent());
                if (want.isPresent()) {
                    assertThat(have.get().signedNote())
                            .as("checkpoint at %d", size)
                            .isEqualTo(want.get().signedNote());
                }
            }
        }
        assertThat(count).as("checkpoints").isGreaterThan(1);
    }

    @Test
    void wholeClusterRestartReplaysWithoutDuplicating() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        List<byte[]> sent = new ArrayList<>();
        cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("one", 30), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        cluster.close();
        cluster.startAll();
        cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("two", 5), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
    }

    @Test
    void retriedAppendWithTheSameClientIdsReturnsTheOriginalPositions() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        int leader = cluster.awaitLeader(WAIT);
        List<Leaf> first = batch("original", 3);
        List<Optional<String>> ids = List.of(Optional.of("a"), Optional.of("b"), Optional.of("c"));
        cluster.appendRecording(LOG, leader, batch("before", 2), new ArrayList<>());
        List<Appended> original = cluster.require(leader)
                .logs()
                .require(LOG)
                .append(first, ids, List.of())
                .get(30, TimeUnit.SECONDS);
        assertThat(original.get(0).leafIndex()).isEqualTo(2);

        // The retry carries other bytes (a later receive time), through another node: nothing is appended.
        List<Appended> retried = cluster.require((leader + 1) % 3)
                .logs()
                .getOrCreate(LOG)
                .append(batch("retry", 3), ids, List.of())
                .get(30, TimeUnit.SECONDS);
        assertThat(retried).isEqualTo(original);
        // A request that only partly repeats ids is appended in full.
        List<Appended> mixed = cluster.require(leader)
                .logs()
                .require(LOG)
                .append(batch("mixed", 2), List.of(Optional.of("c"), Optional.of("d")), List.of())
                .get(30, TimeUnit.SECONDS);
        assertThat(mixed.get(0).leafIndex()).isEqualTo(5);
        LocalCluster.await(
                "tree size 7 everywhere",
                WAIT,
                () -> cluster.replicas(LOG).size() == 3
                        && cluster.replicas(LOG).stream()
                                .allMatch(log -> log.head().treeSize() == 7));
    }

    @Test
    void snapshotsAreTakenAndRestoredWithTheClientIdWindow() throws Exception {
        cluster = new LocalCluster(dir, 3, 10).startAll();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("s" + i, 2), sent);
        }
        int leader = cluster.awaitLeader(WAIT);
        List<Optional<String>> ids = List.of(Optional.of("snap-1"));
        List<Leaf> withId = batch("id", 1);
        long at = cluster.appendWithIds(LOG, withId, ids, WAIT).get(0).leafIndex();
        sent.add(withId.get(0).bytes());
        for (int i = 0; i < 12; i++) {
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("t" + i, 1), sent);
        }
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        for (int i = 0; i < 3; i++) {
            int node = i;
            LocalCluster.await("a snapshot on node " + node, WAIT, () -> snapshotCount(node) > 0);
        }
        cluster.close();
        cluster.startAll();
        List<Appended> retried = cluster.appendWithIds(LOG, batch("id-again", 1), ids, WAIT);
        assertThat(retried.get(0).leafIndex()).isEqualTo(at);
        assertThat(retried.get(0).leafHash()).isEqualTo(withId.get(0).leafHash());
        cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("after", 4), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        assertReplicasIdentical(sent);
    }

    @Test
    void detachedBodiesReachEveryReplicaBeforeTheirLeaves() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        int follower = (cluster.awaitLeader(WAIT) + 1) % 3;
        byte[] body = "{\"big\":\"".concat("x".repeat(70_000)).concat("\"}").getBytes(StandardCharsets.UTF_8);
        AuditLog log = cluster.require(follower).logs().getOrCreate(LOG);
        Hash digest = log.putBody(body);
        List<Leaf> leaf = batch("names-" + digest.hex(), 1);
        log.append(leaf, List.of(Optional.empty()), List.of(body)).get(30, TimeUnit.SECONDS);
        LocalCluster.await(
                "the body on every node",
                WAIT,
                () -> cluster.replicas(LOG).size() == 3
                        && cluster.replicas(LOG).stream()
                                .allMatch(replica -> replica.head().treeSize() == 1));
        for (AuditLog replica : cluster.replicas(LOG)) {
            assertThat(replica.body(digest))
                    .hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(body));
        }
    }

    private long snapshotCount(int node) {
        try (var files = Files.walk(cluster.dataDirectory(node).resolve("raft"))) {
            return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+"))
                    .count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** Deletes a stopped node's snapshots (and their digest files), as if it had crashed before taking them. */
    private void deleteSnapshots(int node) throws java.io.IOException {
        try (var files = Files.walk(cluster.dataDirectory(node).resolve("raft"))) {
            for (Path snapshot : files.filter(p -> p.getFileName().toString().startsWith("snapshot."))
                    .toList()) {
                Files.delete(snapshot);
            }
        }
    }

    /** Appends a large event through {@code node} as the ingestion path does: its body stored first. */
    private PreparedEntry appendLarge(int node, String tag, char fill, int size, List<byte[]> sent) throws Exception {
        PreparedEntry entry = LocalCluster.largeEvent(tag, fill, size);
        byte[] body = entry.detachedBody().orElseThrow().bytes();
        AuditLog log = cluster.require(node).logs().getOrCreate(LOG);
        log.putBody(body);
        long first = log.append(List.of(Leaf.of(entry.leafBytes())), List.of(Optional.empty()), List.of(body))
                .get(30, TimeUnit.SECONDS)
                .get(0)
                .leafIndex();
        assertThat(first).as("leaf index of the large event").isEqualTo(sent.size());
        sent.add(entry.leafBytes());
        return entry;
    }

    /** The note carries the log signature and, after it, valid cosignatures by a majority of nodes. */
    private void assertCosignedByMajority(byte[] note) {
        SignedNote parsed = Notes.parse(note);
        assertThat(parsed.signatures().get(0).name()).isEqualTo(LocalCluster.ORIGIN_HOST + "/" + LOG.value());
        Set<String> cosigners = cluster.cosigners(note);
        assertThat(cosigners).as("cosigners of %s", parsed.text()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(parsed.signatures()).hasSize(1 + cosigners.size());
    }

    @Test
    void sealWithAForeignRootStopsEveryReplicaLoudly() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        List<byte[]> sent = new ArrayList<>();
        int leader = cluster.awaitLeader(WAIT);
        cluster.appendRecording(LOG, leader, batch("x", 3), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        cluster.appendRecording(LOG, leader, batch("y", 3), sent);
        Hash wrong = Hash.of(new byte[32], 0);
        Reply reply = cluster.require(leader)
                .propose(new Command.Seal(LOG, sent.size(), wrong))
                .get(30, TimeUnit.SECONDS);
        assertThat(reply.ok()).isFalse();
        assertThat(reply.reason()).contains("replicas diverged");
        LocalCluster.await(
                "every replica stopped",
                WAIT,
                () -> cluster.replicas(LOG).stream()
                        .allMatch(log -> log.failure().isPresent()));
        assertThatThrownBy(() -> cluster.require(leader).logs().require(LOG).append(batch("z", 1)))
                .isInstanceOf(IndelibleException.class)
                .hasMessageContaining("refuses appends");
        assertThat(cluster.require(leader)
                        .logs()
                        .require(LOG)
                        .latestCheckpoint()
                        .orElseThrow()
                        .treeSize())
                .isEqualTo(3);
    }

    /** The command that appends {@code leaves}, without client ids, to {@link #LOG}. */
    private static Command.Append appendCommand(List<Leaf> leaves) {
        return new Command.Append(
                LOG,
                leaves.stream().map(Leaf::bytes).toList(),
                Collections.nCopies(leaves.size(), Optional.empty()),
                List.of());
    }

    /** Every running replica: the same entries, roots (every 7th tree size) and checkpoint bytes, cosigned by a majority. */
    private void assertReplicasIdentical(List<byte[]> sent) {
        for (AuditLog replica : cluster.assertReplicasIdentical(LOG, sent, 7)) {
            assertCosignedByMajority(replica.latestCheckpoint().orElseThrow().signedNote());
        }
    }
}
