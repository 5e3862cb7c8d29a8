package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.indelible.client.AppendedEntry;
import dev.indelible.client.IndelibleClient;
import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.note.Notes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Three real server JVMs from the CLI jar on 127.0.0.1, under continuous appends from two
 * threads; the leader is killed with SIGKILL {@code indelible.it.kills} times (default 3) and
 * restarted. Afterwards every acknowledged entry is on every node, byte-identical at its leaf
 * index, and every pair of consecutive checkpoints seen during the run is proven consistent. Then a
 * follower is killed and restarted, and two of three nodes are killed: the survivor must not
 * acknowledge an append until they are back.
 * Prints each failover time (leader kill to the first acknowledged append through a survivor).
 * Times out after {@link #timeout} (longer for more kills).
 */
class ClusterProcessIT {
    private static final String LOG = ClusterProcesses.LOG;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** Under target/, kept after the run so that the servers' logs can be read when it fails. */
    private final Path dir = Path.of("target", "cluster-it", Long.toString(System.currentTimeMillis()))
            .toAbsolutePath();

    @AutoClose
    private ClusterProcesses cluster;

    @Test
    void everyAcknowledgedAppendSurvivesLeaderKills() {
        int kills = Integer.getInteger("indelible.it.kills", 3);
        assertTimeoutPreemptively(timeout(kills), () -> killTheLeader(kills));
    }

    /**
     * Five minutes, and half a minute per kill (each waits for convergence, kills, restarts): six
     * and a half minutes for the default three.
     */
    static Duration timeout(int kills) {
        return Duration.ofSeconds(300 + 30L * kills);
    }

    private void killTheLeader(int kills) throws Exception {
        cluster = new ClusterProcesses(dir, "it.cluster", START_TIMEOUT)
                .withElectionTimeoutMillis(System.getProperty("indelible.it.electionTimeoutMillis", "200"));
        if (Boolean.getBoolean("indelible.it.aot")) {
            String cache = "-XX:AOTCache=" + trainAotCache();
            cluster.withCommandWrapper((node, command) -> {
                List<String> withCache = new ArrayList<>(command);
                withCache.add(1, cache);
                return withCache;
            });
        }
        cluster.startAll();
        int firstLeader = cluster.awaitLeader();
        assertClusterStatusPrints(firstLeader);

        Map<Long, Hash> acknowledged = new ConcurrentHashMap<>();
        List<byte[]> checkpoints = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean loading = new AtomicBoolean(true);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers.add(Thread.ofPlatform().start(() -> load(writer, loading, acknowledged, checkpoints)));
        }
        List<Long> failoverMillis = new ArrayList<>();
        try {
            for (int k = 0; k < kills; k++) {
                awaitConverged();
                Thread.sleep(1_000);
                int leader = cluster.awaitLeader();
                int survivor = (leader + 1) % 3;
                long killedAt = System.nanoTime();
                cluster.kill(leader);
                appendUntilAcknowledged(survivor, acknowledged, Duration.ofSeconds(30));
                failoverMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
                System.out.println(java.time.Instant.now() + " kill " + k + " of n" + (leader + 1) + ": "
                        + failoverMillis.getLast() + " ms to the first acknowledged append via n" + (survivor + 1));
                cluster.start(leader);
                cluster.awaitHealthy(leader);
            }
            List<Long> pauses = new ArrayList<>();
            for (int s = 0; s < Integer.getInteger("indelible.it.plannedStops", 1); s++) {
                pauses.add(stopTheLeaderAsPlanned(acknowledged));
            }
            System.out.println(
                    "planned stops of the leader, longest pause between acknowledged appends (ms): " + pauses);
            killAndRestartAFollower(acknowledged);
            majorityLossRefusesAppendsUntilRestart(acknowledged);
        } finally {
            loading.set(false);
            for (Thread writer : writers) {
                writer.join(TimeUnit.SECONDS.toMillis(40));
            }
        }
        System.out.println("failover ms (kill -9 of the leader to first acknowledged append): " + failoverMillis);
        List<Long> sorted = new ArrayList<>(failoverMillis);
        Collections.sort(sorted);
        if (!sorted.isEmpty()) {
            System.out.println("failover median " + sorted.get(sorted.size() / 2) + " ms, max " + sorted.getLast()
                    + " ms over " + sorted.size() + " kills; " + acknowledged.size() + " entries acknowledged");
        }
        assertThat(acknowledged).isNotEmpty();
        cluster.assertEveryNodeHoldsTheAcknowledgedEntries(acknowledged);
        assertConsecutiveCheckpointsConsistent(checkpoints);
    }

    /**
     * The leader stopped with SIGTERM, as for an upgrade, while the writers append: it hands its
     * leadership to a follower before it stops (its log says so; whether the follower was elected
     * within the hand-off's wait is printed there too). Returns (and prints) the longest
     * pause between appends acknowledged through a survivor, from the signal until the node has exited.
     */
    private long stopTheLeaderAsPlanned(Map<Long, Hash> acknowledged) throws Exception {
        awaitConverged();
        Thread.sleep(1_000);
        int leader = cluster.awaitLeader();
        int survivor = (leader + 1) % 3;
        long signalled = System.nanoTime();
        Thread stopping = Thread.ofPlatform().start(() -> {
            try {
                cluster.stop(leader);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long last = signalled;
        long longestPause = 0;
        while (stopping.isAlive()) {
            appendUntilAcknowledged(survivor, acknowledged, Duration.ofSeconds(30));
            long now = System.nanoTime();
            longestPause = Math.max(longestPause, now - last);
            last = now;
        }
        stopping.join();
        System.out.println(java.time.Instant.now() + " SIGTERM of the leader n" + (leader + 1)
                + ": longest pause between appends acknowledged via n" + (survivor + 1) + " "
                + TimeUnit.NANOSECONDS.toMillis(longestPause) + " ms, stopped after "
                + TimeUnit.NANOSECONDS.toMillis(last - signalled) + " ms");
        assertThat(Files.readString(cluster.log(leader)))
                .as("n%d's log", leader + 1)
                .contains("hands its leadership to");
        cluster.start(leader);
        cluster.awaitHealthy(leader);
        return TimeUnit.NANOSECONDS.toMillis(longestPause);
    }

    /**
     * A follower killed while the writers append, then restarted: once its {@code /readyz} says 200
     * it has applied every Raft entry the leader had applied before the restart (a node that is not
     * current answers 503 {@code not-current}).
     */
    private void killAndRestartAFollower(Map<Long, Hash> acknowledged) throws Exception {
        int leader = cluster.awaitLeader();
        int follower = (leader + 1) % 3;
        cluster.kill(follower);
        appendUntilAcknowledged(leader, acknowledged, Duration.ofSeconds(10));
        Thread.sleep(2_000); // the writers append meanwhile: entries the restarted node must fetch
        long appliedBeforeRestart = applied(leader);
        cluster.start(follower);
        cluster.awaitReadiness(follower, 200);
        assertThat(applied(follower))
                .as("Raft index applied by n%d when it first said it was ready", follower + 1)
                .isGreaterThanOrEqualTo(appliedBeforeRestart);
    }

    /** With two of three nodes killed, the survivor cannot acknowledge; after restart, appends resume. */
    private void majorityLossRefusesAppendsUntilRestart(Map<Long, Hash> acknowledged) throws Exception {
        int leader = cluster.awaitLeader();
        int follower = (leader + 1) % 3;
        int survivor = (leader + 2) % 3;
        for (int node : new int[] {leader, follower}) {
            cluster.kill(node);
        }
        try (IndelibleClient client = cluster.client(survivor, Duration.ofSeconds(3))) {
            byte[] event = "{\"actor\":\"probe\",\"action\":\"minority\"}".getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> client.append(LOG, List.of(event))).as("a minority must not acknowledge");
        }
        cluster.awaitReadiness(survivor, 503); // a node without a majority is not current
        cluster.start(leader);
        cluster.start(follower);
        cluster.awaitHealthy(leader);
        cluster.awaitHealthy(follower);
        appendUntilAcknowledged(survivor, acknowledged, Duration.ofSeconds(60));
        for (int node = 0; node < 3; node++) {
            cluster.awaitReadiness(node, 200);
        }
    }

    private void load(int writer, AtomicBoolean loading, Map<Long, Hash> acknowledged, List<byte[]> checkpoints) {
        // Until the test is done: the waits for convergence need new entries. The deadline is a net.
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        for (int n = 0; n < 1_000_000 && loading.get() && System.nanoTime() < deadline; n++) {
            int node = ThreadLocalRandom.current().nextInt(3);
            List<byte[]> events = new ArrayList<>();
            for (int e = 0; e < 5; e++) {
                events.add(("{\"actor\":\"w" + writer + "\",\"action\":\"n" + n + "e" + e + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
            }
            try (IndelibleClient client = client(node)) {
                for (AppendedEntry entry : client.append(LOG, events)) {
                    acknowledged.put(entry.leafIndex(), entry.leafHash());
                }
                if (n % 10 == 0) {
                    checkpoints.add(client.checkpoint(LOG));
                }
            } catch (RuntimeException e) {
                ClusterProcesses.sleep(50); // node down or failing over: not acknowledged, so nothing is promised
            }
        }
    }

    private void appendUntilAcknowledged(int node, Map<Long, Hash> acknowledged, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (IndelibleClient client = client(node)) {
                byte[] event = "{\"actor\":\"probe\",\"action\":\"failover\"}".getBytes(StandardCharsets.UTF_8);
                for (AppendedEntry entry : client.append(LOG, List.of(event))) {
                    acknowledged.put(entry.leafIndex(), entry.leafHash());
                }
                return;
            } catch (RuntimeException e) {
                ClusterProcesses.sleep(20);
            }
        }
        throw new AssertionError("no append acknowledged within " + timeout);
    }

    private void assertConsecutiveCheckpointsConsistent(List<byte[]> notes) {
        List<Checkpoint> seen = new ArrayList<>();
        for (byte[] note : List.copyOf(notes)) {
            seen.add(Checkpoint.parse(Notes.parse(note).text()));
        }
        seen.sort((a, b) -> Long.compare(a.treeSize(), b.treeSize()));
        assertThat(seen).hasSizeGreaterThan(1);
        try (IndelibleClient client = client(0)) {
            for (int i = 1; i < seen.size(); i++) {
                Checkpoint from = seen.get(i - 1);
                Checkpoint to = seen.get(i);
                if (from.treeSize() == to.treeSize()) {
                    assertThat(to.rootHash()).isEqualTo(from.rootHash());
                    continue;
                }
                MerkleVerifier.verifyConsistency(
                        from.treeSize(),
                        to.treeSize(),
                        from.rootHash(),
                        to.rootHash(),
                        client.consistencyProof(LOG, from.treeSize(), to.treeSize())
                                .hashes());
            }
        }
    }

    private IndelibleClient client(int node) {
        return cluster.client(node, Duration.ofSeconds(10));
    }

    /** {@code -Dindelible.it.aot=true}: the nodes run with an AOT cache that {@code indelible aot-cache} trains first. */
    private Path trainAotCache() throws Exception {
        Path cache = dir.resolve("indelible.aot");
        Files.createDirectories(dir);
        AotCacheIT.Run training = AotCacheIT.run(
                dir,
                List.of(),
                "aot-cache",
                "--out",
                cache.toString(),
                "--base-port",
                Integer.toString(LoopbackPorts.freeBase()));
        assertThat(training.exit()).as(training.output()).isZero();
        System.out.println(training.output().strip());
        return cache;
    }

    /** {@code indelible cluster status} against a follower names every member and the leader. */
    private void assertClusterStatusPrints(int leader) {
        java.io.StringWriter out = new java.io.StringWriter();
        for (int attempt = 0; attempt < 40 && !out.toString().contains("leader n" + (leader + 1)); attempt++) {
            ClusterProcesses.sleep(
                    attempt == 0 ? 0 : 250); // the follower learns who leads from the leader's first heartbeat
            out = new java.io.StringWriter();
            picocli.CommandLine cli = new picocli.CommandLine(new ClusterCommand());
            cli.setOut(new java.io.PrintWriter(out, true));
            assertThat(cli.execute("status", "--url", cluster.url((leader + 1) % 3)))
                    .isZero();
        }
        assertThat(out.toString())
                .contains("leader n" + (leader + 1))
                .contains("n1")
                .contains("n2")
                .contains("n3")
                .contains("LEADER")
                .contains("FOLLOWER");
    }

    /**
     * Waits for a healthy cluster to fail: every node has applied at least one Raft entry past the highest index any node had
     * applied when the wait began: the writers keep appending, so a node that stopped following (a
     * Raft log that diverged at start-up, say) never gets there, while one a few entries behind does.
     */
    private void awaitConverged() {
        long target = -1;
        for (int i = 0; i < 3; i++) {
            target = Math.max(target, applied(i));
        }
        target++;
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        long[] applied = new long[3];
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (int i = 0; i < 3; i++) {
                applied[i] = applied(i);
                all &= applied[i] >= target;
            }
            if (all) {
                return;
            }
            ClusterProcesses.sleep(100);
        }
        int leader = cluster.awaitLeader();
        JsonNode view = cluster.get(leader, "/v1/cluster");
        throw new AssertionError("not every node applied Raft index " + target + " within " + START_TIMEOUT
                + ": applied " + Arrays.toString(applied) + "; the leader n" + (leader + 1) + " reports "
                + (view == null ? "nothing" : view.path("nodes")));
    }

    private long applied(int node) {
        JsonNode status = cluster.running(node) ? cluster.get(node, "/v1/cluster") : null;
        return status == null ? -1 : status.path("appliedRaftIndex").asLong(-1);
    }
}
