package dev.indelible.replication;

import static dev.indelible.replication.LocalCluster.batch;

import dev.indelible.log.LogName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak and measurement (not in the default build; {@code -Psoak}): three times, stops a follower
 * for {@code indelible.soak.down} seconds (default 25) while the leader appends one entry every half
 * second, restarts it, and prints how long after its restart it has every entry. While it is down,
 * the leader's appender counts an error per attempt and pauses after them ({@link
 * RaftNode#APPENDER_RETRY_POLICY}); that pause is what the restarted follower waits for. The replicas
 * must be identical at the end.
 */
class FollowerRejoinSoak {
    private static final LogName LOG = new LogName("audit");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AutoClose
    private LocalCluster cluster;

    @Test
    void aRestartedFollowerCatchesUpSoonAfterALongStop() throws Exception {
        Duration down = Duration.ofSeconds(Long.getLong("indelible.soak.down", 25));
        cluster = new LocalCluster(dir, 3).startAll();
        List<byte[]> sent = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("r" + round, 5), sent);
            cluster.awaitAllAt(LOG, sent.size(), WAIT);
            int follower = (cluster.awaitLeader(WAIT) + 1) % 3;
            cluster.stop(follower);
            long downUntil = System.nanoTime() + down.toNanos();
            for (int i = 0; System.nanoTime() < downUntil; i++) {
                cluster.appendRecording(LOG, cluster.awaitLeader(WAIT), batch("r" + round + "d" + i, 1), sent);
                LocalCluster.sleep(500);
            }
            long restarted = System.nanoTime();
            cluster.start(follower);
            cluster.awaitAllAt(LOG, sent.size(), WAIT);
            System.out.println("round " + round + ": the follower, down for " + down.toSeconds()
                    + " s, had every entry " + (System.nanoTime() - restarted) / 1_000_000 + " ms after its restart");
        }
        cluster.assertReplicasIdentical(LOG, sent, 1);
    }
}
