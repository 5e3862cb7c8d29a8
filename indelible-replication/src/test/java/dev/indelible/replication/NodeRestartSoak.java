package dev.indelible.replication;

import static dev.indelible.replication.LocalCluster.batch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.indelible.log.Appended;
import dev.indelible.log.IndelibleException;
import dev.indelible.log.Leaf;
import dev.indelible.log.LogName;
import dev.indelible.storage.io.FaultyFileIO;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak (not in the default build; {@code -Psoak}): stops one node at a time — the leader or a
 * follower, in turn — {@code indelible.soak.rounds} times (default 40), with appends through every
 * node in flight as it stops; appends while it is down (sometimes long enough that the others purge
 * their Raft logs behind it, so it must install the leader's snapshot), restarts it and waits until
 * every node has the same tree size and checkpoint. Every third round the node loses power instead
 * of stopping: each of its files (our segments, checkpoints and snapshots; not Ratis's own Raft log)
 * is cut somewhere between its last fsync and its end. Snapshots every 10 Raft entries and 4 KB Raft
 * log segments make restarts from a snapshot with entries to replay, and installs, happen in most
 * rounds. In about a third of the rounds that stop a follower, the leader stops too, up to 300 ms
 * after the follower's restart (often in the middle of its snapshot install), and returns once the
 * follower and the third node have committed the next appends. A client id appended in one round
 * is retried in the next through whichever node leads.
 * Every acknowledged entry must be on every replica at the leaf index it was acknowledged at (an
 * append in flight when a node stopped may or may not have been committed), and the replicas must
 * be identical.
 */
class NodeRestartSoak {
    private static final LogName LOG = new LogName("audit");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @AutoClose
    private LocalCluster cluster;

    /** Every acknowledged entry by its leaf index. */
    private final Map<Long, byte[]> acknowledged = new TreeMap<>();

    @Test
    void everyRestartedNodeCatchesUpWithTheAcknowledgedEntries() throws Exception {
        long seed = Long.getLong("indelible.soak.seed", 20261127L);
        Random random = new Random(seed);
        FaultyFileIO[] disks = {new FaultyFileIO(seed + 1), new FaultyFileIO(seed + 2), new FaultyFileIO(seed + 3)};
        cluster = new LocalCluster(dir, 3, 10)
                .withSegmentSizeMax(SizeInBytes.valueOf("4KB"))
                .withFileIO(i -> disks[i])
                .startAll();
        int rounds = Integer.getInteger("indelible.soak.rounds", 40);
        Optional<String> previousId = Optional.empty();
        long previousAt = -1;
        int inFlightAcknowledged = 0;
        int leaderStops = 0;
        for (int round = 0; round < rounds; round++) {
            int leader = cluster.awaitLeader(WAIT);
            int victim = round % 2 == 0 ? leader : (leader + 1 + random.nextInt(2)) % 3;
            List<List<Leaf>> inFlightLeaves = new ArrayList<>();
            List<CompletableFuture<List<Appended>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                List<Leaf> leaves = batch("r" + round + "f" + i, 1 + random.nextInt(3));
                try {
                    inFlight.add(cluster.require(i % 3).logs().getOrCreate(LOG).append(leaves));
                    inFlightLeaves.add(leaves);
                } catch (IndelibleException refused) {
                    // refused at once (e.g. backlog full): not acknowledged, nothing to check
                }
            }
            boolean powerLoss = round % 3 == 2;
            if (powerLoss) {
                disks[victim].crashNow();
                cluster.stop(victim);
                disks[victim].simulateCrash(); // each file cut between its last fsync and its end
            } else {
                cluster.stop(victim);
            }
            for (int i = 0; i < inFlight.size(); i++) {
                try {
                    record(inFlightLeaves.get(i), inFlight.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS));
                    inFlightAcknowledged++;
                } catch (ExecutionException | TimeoutException notAcknowledged) {
                    // may or may not be committed: the replicas decide, and must agree
                }
            }
            int whileDown = 3 + random.nextInt(random.nextInt(4) == 0 ? 60 : 10);
            for (int i = 0; i < whileDown; i++) {
                append(batch("r" + round + "d" + i, 1 + random.nextInt(4)));
            }
            if (previousId.isPresent()) {
                Appended retried = cluster.appendWithIds(
                                LOG, batch("r" + round + "retry", 1), List.of(previousId), WAIT)
                        .get(0);
                assertThat(retried.leafIndex()).as("retry in round %d", round).isEqualTo(previousAt);
            }
            cluster.start(victim);
            // Sometimes the leader stops too, soon after the follower's restart, while it may still
            // be installing the leader's snapshot: the follower must catch up from the next leader,
            // as the two of them are all that is left to commit anything.
            boolean leaderStopsAsItCatchesUp = victim != leader && random.nextInt(3) == 0;
            if (leaderStopsAsItCatchesUp) {
                LocalCluster.sleep(random.nextInt(300));
                cluster.stop(leader);
                leaderStops++;
            }
            String id = "id-" + round;
            List<Leaf> withId = batch("r" + round + "id", 1);
            List<Appended> first = cluster.appendWithIds(LOG, withId, List.of(Optional.of(id)), WAIT);
            record(withId, first);
            previousId = Optional.of(id);
            previousAt = first.get(0).leafIndex();
            if (leaderStopsAsItCatchesUp) {
                cluster.start(leader);
            }
            long size = append(batch("r" + round + "up", 2));
            cluster.awaitAllAt(LOG, size, WAIT);
            System.out.println("round " + round + " (seed " + seed + "): node " + victim
                    + (victim == leader ? " (the leader)" : "")
                    + (powerLoss ? " lost power," : " stopped,")
                    + (leaderStopsAsItCatchesUp ? " the leader stopped as it caught up," : "")
                    + " down for " + whileDown + " appends; every node at tree size " + size + ", "
                    + acknowledged.size() + " entries acknowledged (" + inFlightAcknowledged
                    + " appends in flight at a stop so far; the leader stopped as a follower caught up "
                    + leaderStops + " times)");
        }
        assertThat(cluster.runningNodes()).isEqualTo(3);
        cluster.assertReplicasIdentical(LOG, acknowledged, 7);
    }

    /** Appends through the node that leads and records the entries; the tree size after them. */
    private long append(List<Leaf> leaves) throws Exception {
        List<Appended> appended = cluster.require(cluster.awaitLeader(WAIT))
                .logs()
                .getOrCreate(LOG)
                .append(leaves)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        record(leaves, appended);
        return appended.get(appended.size() - 1).leafIndex() + 1;
    }

    private void record(List<Leaf> leaves, List<Appended> appended) {
        for (int i = 0; i < leaves.size(); i++) {
            byte[] previous =
                    acknowledged.put(appended.get(i).leafIndex(), leaves.get(i).bytes());
            assertThat(previous)
                    .as("leaf %d acknowledged twice", appended.get(i).leafIndex())
                    .isNull();
        }
    }
}
