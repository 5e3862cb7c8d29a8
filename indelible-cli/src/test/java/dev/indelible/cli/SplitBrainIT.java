package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.indelible.client.AppendedEntry;
import dev.indelible.client.IndelibleClient;
import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.note.Notes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No split brain, with a real network cut: three server JVMs on 127.0.0.1; the leader is cut off
 * from the other two with iptables on loopback ({@link NetCut}: both directions of every Raft
 * connection between it and the others are dropped, its HTTP stays reachable). While cut, appends
 * sent to it are never acknowledged, and the other two elect a leader and acknowledge appends.
 * After the cut heals the old leader catches up: every node holds byte-identical entries, every
 * acknowledged entry is at its leaf index, and every pair of consecutive checkpoints fetched from
 * each node is proven consistent. Needs root and iptables (CI has both); skipped otherwise.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SplitBrainIT {
    private static final String LOG = ClusterProcesses.LOG;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration CUT_FOR = Duration.ofSeconds(8);

    private final Path dir = Path.of("target", "splitbrain-it", Long.toString(System.currentTimeMillis()))
            .toAbsolutePath();
    private final Map<Long, Hash> acknowledged = new ConcurrentHashMap<>();
    private final List<List<byte[]>> checkpoints = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    private ClusterProcesses cluster;
    private NetCut cut;

    @AfterEach
    void cleanUp() throws InterruptedException {
        try {
            if (cut != null) {
                cut.heal();
            }
        } catch (IOException e) {
            System.err.println("heal: " + e.getMessage());
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            if (cut != null) {
                cut.close();
            }
        }
    }

    @Test
    void aMinorityCutOffCannotAcknowledgeAndCatchesUpAfterTheCutHeals() throws Exception {
        Optional<String> unavailable = NetCut.unavailable();
        assumeTrue(unavailable.isEmpty(), () -> "no iptables network cut here: " + unavailable.orElseThrow());
        long started = System.nanoTime();
        cluster = new ClusterProcesses(dir, "it.splitbrain", START_TIMEOUT);
        cut = NetCut.create(3);
        cluster.withCommandWrapper(cut::wrap).startAll();
        cluster.awaitLeader(-1);
        for (int n = 0; n < 15; n++) {
            appendUntilAcknowledged(n % 3, "before-" + n, Duration.ofSeconds(20));
        }
        sampleCheckpoints();

        // Cut the leader off from the other two.
        int minority = cluster.awaitLeader(-1);
        cut.isolate(minority, cluster.raftPorts());
        long cutAt = System.nanoTime();
        System.out.println("cut n" + (minority + 1) + " (the leader) off at " + elapsed(started));

        AtomicBoolean probing = new AtomicBoolean(true);
        AtomicInteger probes = new AtomicInteger();
        List<String> minorityAcks = Collections.synchronizedList(new ArrayList<>());
        Map<String, Integer> minorityRefusals = new ConcurrentHashMap<>();
        Thread prober = Thread.ofPlatform().start(() -> {
            while (probing.get()) {
                int n = probes.getAndIncrement();
                try (IndelibleClient client = cluster.client(minority, Duration.ofSeconds(3))) {
                    List<AppendedEntry> appended = client.append(LOG, List.of(event("minority-" + n)));
                    minorityAcks.add(
                            "minority-" + n + " at " + appended.getFirst().leafIndex());
                } catch (RuntimeException e) {
                    // not acknowledged: what a minority must answer (503, or no answer in time)
                    String message = String.valueOf(e.getMessage());
                    minorityRefusals.merge(
                            e.getClass().getSimpleName() + ": " + message.substring(0, Math.min(60, message.length())),
                            1,
                            Integer::sum);
                }
            }
        });
        int majorityLeader;
        long sizeAtHeal;
        try {
            majorityLeader = cluster.awaitLeader(minority);
            int majorityFollower = 3 - minority - majorityLeader;
            appendUntilAcknowledged(majorityFollower, "majority-first", Duration.ofSeconds(20));
            System.out.println("majority leader n" + (majorityLeader + 1) + ", first acknowledged append "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt) + " ms after the cut");
            for (int n = 0; n < 20; n++) {
                appendUntilAcknowledged(
                        n % 2 == 0 ? majorityLeader : majorityFollower, "majority-" + n, Duration.ofSeconds(10));
            }
            sampleCheckpoints();
            long remaining = CUT_FOR.toNanos() - (System.nanoTime() - cutAt);
            if (remaining > 0) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(remaining));
            }
            sampleCheckpoints();
            assertThat(cluster.readiness(minority))
                    .as("/readyz of the cut-off node")
                    .isEqualTo(503);
            assertThat(cluster.readiness(majorityLeader))
                    .as("/readyz of the majority's leader")
                    .isEqualTo(200);
            JsonNode minorityView = cluster.get(minority, "/v1/cluster");
            System.out.println("minority's view while cut: "
                    + (minorityView == null
                            ? "none"
                            : minorityView.path("role").asText() + " term " + minorityView.path("term")));
            try (IndelibleClient client = cluster.client(majorityLeader, Duration.ofSeconds(5))) {
                sizeAtHeal = client.logInfo(LOG).treeSize();
            }
        } finally {
            probing.set(false);
            prober.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(minorityAcks)
                .as("appends acknowledged by the cut-off minority")
                .isEmpty();
        assertThat(probes.get()).as("appends tried against the minority").isPositive();
        System.out.println(
                probes.get() + " appends sent to the minority while cut, none acknowledged: " + minorityRefusals);

        cut.heal();
        long healedAt = System.nanoTime();
        System.out.println("healed at " + elapsed(started));
        cluster.awaitEntries(minority, sizeAtHeal);
        System.out.println("n" + (minority + 1) + " caught up to " + sizeAtHeal + " entries "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healedAt) + " ms after the heal");
        appendUntilAcknowledged(minority, "after-heal", Duration.ofSeconds(30));
        cluster.awaitReadiness(minority, 200);
        sampleCheckpoints();

        List<byte[]> entries = cluster.assertEveryNodeHoldsTheAcknowledgedEntries(acknowledged);
        // The minority's own Raft log never reached the shared history: a probe can appear only if its
        // Raft client re-sent it to the majority leader after the heal (never acknowledged to us).
        for (int leafIndex = 0; leafIndex < sizeAtHeal; leafIndex++) {
            assertThat(new String(entries.get(leafIndex), StandardCharsets.UTF_8))
                    .as("leaf %d", leafIndex)
                    .doesNotContain("minority-");
        }
        for (int i = 0; i < 3; i++) {
            assertConsecutiveCheckpointsConsistent(i, checkpoints.get(i));
        }
        System.out.println("split-brain test took " + elapsed(started));
    }

    private void sampleCheckpoints() {
        for (int i = 0; i < 3; i++) {
            try (IndelibleClient client = cluster.client(i, Duration.ofSeconds(3))) {
                checkpoints.get(i).add(client.checkpoint(LOG));
            } catch (RuntimeException e) {
                // none published yet
            }
        }
    }

    /** In the order fetched from one node, tree sizes never shrink and each step is proven consistent. */
    private void assertConsecutiveCheckpointsConsistent(int node, List<byte[]> notes) {
        assertThat(notes).as("checkpoints from node %d", node).hasSizeGreaterThan(1);
        try (IndelibleClient client = cluster.client(node, Duration.ofSeconds(10))) {
            for (int i = 1; i < notes.size(); i++) {
                Checkpoint from = Checkpoint.parse(Notes.parse(notes.get(i - 1)).text());
                Checkpoint to = Checkpoint.parse(Notes.parse(notes.get(i)).text());
                assertThat(to.treeSize()).as("node %d checkpoint %d", node, i).isGreaterThanOrEqualTo(from.treeSize());
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

    private void appendUntilAcknowledged(int node, String action, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (IndelibleClient client = cluster.client(node, Duration.ofSeconds(5))) {
                for (AppendedEntry entry : client.append(LOG, List.of(event(action)))) {
                    acknowledged.put(entry.leafIndex(), entry.leafHash());
                }
                return;
            } catch (RuntimeException e) {
                ClusterProcesses.sleep(50);
            }
        }
        throw new AssertionError("no append acknowledged by node " + node + " within " + timeout);
    }

    private static byte[] event(String action) {
        return ("{\"actor\":\"splitbrain\",\"action\":\"" + action + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static String elapsed(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since) + " ms";
    }
}
