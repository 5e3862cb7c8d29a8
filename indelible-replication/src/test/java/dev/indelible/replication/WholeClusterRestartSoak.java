package dev.indelible.replication;

import static dev.indelible.replication.LocalCluster.batch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.indelible.log.Appended;
import dev.indelible.log.LogName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak (not in the default build; {@code -Psoak}, see docs/design/replication.md "Tests"): stops
 * and restarts the whole 3-node cluster {@code indelible.soak.restarts} times (default 40), with a
 * snapshot every 10 Raft entries, a client id retried across each restart and appends before and
 * after it; after every restart each node must reach the same tree size and checkpoint, and at the
 * end every replica must hold exactly the entries acknowledged. It found the checkpoint replay
 * stop of session 10 (SealReplayTest) within ten restarts.
 */
class WholeClusterRestartSoak {
    private static final LogName LOG = new LogName("audit");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @AutoClose
    private LocalCluster cluster;

    @Test
    void everyRestartConvergesOnTheAcknowledgedEntries() throws Exception {
        cluster = new LocalCluster(dir, 3, 10).startAll();
        List<byte[]> sent = new ArrayList<>();
        int restarts = Integer.getInteger("indelible.soak.restarts", 40);
        for (int round = 0; round < restarts; round++) {
            for (int i = 0; i < 15; i++) {
                cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("r" + round + "s" + i, 2), sent);
            }
            List<Optional<String>> id = List.of(Optional.of("id-" + round));
            Appended first = cluster.appendWithIds(LOG, batch("r" + round + "id", 1), id, WAIT)
                    .get(0);
            assertThat(first.leafIndex()).isEqualTo(sent.size());
            sent.add(batch("r" + round + "id", 1).get(0).bytes());
            for (int i = 0; i < 6; i++) {
                cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("r" + round + "t" + i, 1), sent);
            }
            cluster.awaitAllAt(LOG, sent.size(), WAIT);
            cluster.close();
            cluster.startAll();
            Appended retried = cluster.appendWithIds(LOG, batch("r" + round + "again", 1), id, WAIT)
                    .get(0);
            assertThat(retried.leafIndex()).as("retry after restart %d", round).isEqualTo(first.leafIndex());
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("r" + round + "after", 4), sent);
            cluster.awaitAllAt(LOG, sent.size(), WAIT);
            System.out.println("restart " + round + ": every node at tree size " + sent.size());
        }
        cluster.assertReplicasIdentical(LOG, sent, 7);
    }
}
