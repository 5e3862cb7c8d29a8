package dev.indelible.replication;

import static dev.indelible.replication.LocalCluster.batch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.indelible.log.Appended;
import dev.indelible.log.LogName;
import dev.indelible.storage.io.FaultyFileIO;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak (not in the default build; {@code -Psoak}): stops one node at a time — the leader or a
 * follower, in turn — {@code indelible.soak.rounds} times (default 40), appends while it is down
 * (sometimes long enough that the others purge their Raft logs behind it, so it must install the
 * leader's snapshot), restarts it and waits until every node has the same tree size and
 * checkpoint. Every third round the node loses power instead of stopping: each of its files (our
 * segments, checkpoints and snapshots; not Ratis's own Raft log) is cut somewhere between its last
 * fsync and its end. Snapshots every 10 Raft entries and 4 KB Raft log segments make restarts from a
 * snapshot with entries to replay, and installs, happen in most rounds. A client id appended in one
 * round is retried in the next through whichever node leads. At the end every replica must hold
 * exactly the acknowledged entries.
 */
class NodeRestartSoak {
    private static final LogName LOG = new LogName("audit");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @AutoClose
    private LocalCluster cluster;

    @Test
    void everyRestartedNodeCatchesUpWithTheAcknowledgedEntries() throws Exception {
        long seed = Long.getLong("indelible.soak.seed", 20261127L);
        Random random = new Random(seed);
        FaultyFileIO[] disks = {new FaultyFileIO(seed + 1), new FaultyFileIO(seed + 2), new FaultyFileIO(seed + 3)};
        cluster = new LocalCluster(dir, 3, 10)
                .withSegmentSizeMax(SizeInBytes.valueOf("4KB"))
                .withFileIO(i -> disks[i])
                .startAll();
        List<byte[]> sent = new ArrayList<>();
        int rounds = Integer.getInteger("indelible.soak.rounds", 40);
        Optional<String> previousId = Optional.empty();
        long previousAt = -1;
        for (int round = 0; round < rounds; round++) {
            int leader = cluster.awaitLeader(WAIT);
            int victim = round % 2 == 0 ? leader : (leader + 1 + random.nextInt(2)) % 3;
            boolean powerLoss = round % 3 == 2;
            if (powerLoss) {
                disks[victim].crashNow();
                cluster.stop(victim);
                disks[victim].simulateCrash(); // each file cut between its last fsync and its end
            } else {
                cluster.stop(victim);
            }
            int whileDown = 3 + random.nextInt(random.nextInt(4) == 0 ? 60 : 10);
            for (int i = 0; i < whileDown; i++) {
                cluster.appendRecording(
                        LOG, cluster.awaitLeader(WAIT), batch("r" + round + "d" + i, 1 + random.nextInt(4)), sent);
            }
            if (previousId.isPresent()) {
                Appended retried = cluster.appendWithIds(
                                LOG, batch("r" + round + "retry", 1), List.of(previousId), WAIT)
                        .get(0);
                assertThat(retried.leafIndex()).as("retry in round %d", round).isEqualTo(previousAt);
            }
            cluster.start(victim);
            String id = "id-" + round;
            Appended first = cluster.appendWithIds(LOG, batch("r" + round + "id", 1), List.of(Optional.of(id)), WAIT)
                    .get(0);
            assertThat(first.leafIndex()).isEqualTo(sent.size());
            sent.add(batch("r" + round + "id", 1).get(0).bytes());
            previousId = Optional.of(id);
            previousAt = first.leafIndex();
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("r" + round + "up", 2), sent);
            cluster.awaitAllAt(LOG, sent.size(), WAIT);
            System.out.println("round " + round + " (seed " + seed + "): node " + victim
                    + (victim == leader ? " (the leader)" : "")
                    + (powerLoss ? " lost power," : " stopped,")
                    + " down for " + whileDown + " appends; every node at tree size " + sent.size());
        }
        cluster.assertReplicasIdentical(LOG, sent, 7);
    }
}
