package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.client.AppendedEntry;
import dev.indelible.client.IndelibleClient;
import dev.indelible.client.RetryPolicy;
import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.Notes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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
    private static final String LOG = "audit";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration CUT_FOR = Duration.ofSeconds(8);

    private final Path dir = Path.of("target", "splitbrain-it", Long.toString(System.currentTimeMillis())).toAbsolutePath();
    private final List<Process> processes = new ArrayList<>(Collections.nCopies(3, null));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<Long, Hash> acknowledged = new ConcurrentHashMap<>();
    private final List<List<byte[]>> checkpoints = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    private final int[] httpPorts = new int[3];
    private final int[] raftPorts = new int[3];
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
            for (Process process : processes) {
                if (process != null) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            if (cut != null) {
                cut.close();
            }
            http.close();
        }
    }

    @Test
    void aMinorityCutOffCannotAcknowledgeAndCatchesUpAfterTheCutHeals() throws Exception {
        Optional<String> unavailable = NetCut.unavailable();
        assumeTrue(unavailable.isEmpty(), () -> "no iptables network cut here: " + unavailable.orElseThrow());
        long started = System.nanoTime();
        Files.createDirectories(dir);
        Path key = dir.resolve("log.key");
        Files.writeString(key, NoteKeys.generateEd25519("it.splitbrain", new SecureRandom()).signerKey() + "\n");
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            httpPorts[i] = LoopbackPorts.free();
            raftPorts[i] = LoopbackPorts.free();
            members.add("n" + (i + 1) + "=127.0.0.1:" + raftPorts[i]);
        }
        cut = NetCut.create(3);
        for (int i = 0; i < 3; i++) {
            start(i, String.join(",", members), key);
        }
        for (int i = 0; i < 3; i++) {
            awaitHealthy(i);
        }
        awaitLeader(-1);
        for (int n = 0; n < 15; n++) {
            appendUntilAcknowledged(n % 3, "before-" + n, Duration.ofSeconds(20));
        }
        sampleCheckpoints();

        // Cut the leader off from the other two.
        int minority = awaitLeader(-1);
        cut.isolate(minority, raftPorts);
        long cutAt = System.nanoTime();
        System.out.println("cut n" + (minority + 1) + " (the leader) off at " + elapsed(started));

        AtomicBoolean probing = new AtomicBoolean(true);
        AtomicInteger probes = new AtomicInteger();
        List<String> minorityAcks = Collections.synchronizedList(new ArrayList<>());
        Map<String, Integer> minorityRefusals = new ConcurrentHashMap<>();
        Thread prober = Thread.ofPlatform().start(() -> {
            while (probing.get()) {
                int n = probes.getAndIncrement();
                try (IndelibleClient client = client(minority, Duration.ofSeconds(3))) {
                    List<AppendedEntry> appended = client.append(LOG, List.of(event("minority-" + n)));
                    minorityAcks.add("minority-" + n + " at " + appended.getFirst().leafIndex());
                } catch (RuntimeException e) {
                    // not acknowledged: what a minority must answer (503, or no answer in time)
                    String message = String.valueOf(e.getMessage());
                    minorityRefusals.merge(e.getClass().getSimpleName() + ": "
                            + message.substring(0, Math.min(60, message.length())), 1, Integer::sum);
                }
            }
        });
        int majorityLeader;
        long sizeAtHeal;
        try {
            majorityLeader = awaitLeader(minority);
            int majorityFollower = 3 - minority - majorityLeader;
            appendUntilAcknowledged(majorityFollower, "majority-first", Duration.ofSeconds(20));
            System.out.println("majority leader n" + (majorityLeader + 1) + ", first acknowledged append "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt) + " ms after the cut");
            for (int n = 0; n < 20; n++) {
                appendUntilAcknowledged(n % 2 == 0 ? majorityLeader : majorityFollower, "majority-" + n, Duration.ofSeconds(10));
            }
            sampleCheckpoints();
            long remaining = CUT_FOR.toNanos() - (System.nanoTime() - cutAt);
            if (remaining > 0) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(remaining));
            }
            sampleCheckpoints();
            JsonNode minorityView = get(minority, "/v1/cluster");
            System.out.println("minority's view while cut: "
                    + (minorityView == null ? "none" : minorityView.path("role").asText() + " term " + minorityView.path("term")));
            try (IndelibleClient client = client(majorityLeader, Duration.ofSeconds(5))) {
                sizeAtHeal = client.logInfo(LOG).treeSize();
            }
        } finally {
            probing.set(false);
            prober.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(minorityAcks).as("appends acknowledged by the cut-off minority").isEmpty();
        assertThat(probes.get()).as("appends tried against the minority").isPositive();
        System.out.println(probes.get() + " appends sent to the minority while cut, none acknowledged: " + minorityRefusals);

        cut.heal();
        long healedAt = System.nanoTime();
        System.out.println("healed at " + elapsed(started));
        awaitEntries(minority, sizeAtHeal);
        System.out.println("n" + (minority + 1) + " caught up to " + sizeAtHeal + " entries "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healedAt) + " ms after the heal");
        appendUntilAcknowledged(minority, "after-heal", Duration.ofSeconds(30));
        sampleCheckpoints();

        long size = acknowledged.keySet().stream().mapToLong(Long::longValue).max().orElseThrow() + 1;
        List<List<byte[]>> replicas = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            replicas.add(awaitEntries(i, size));
        }
        for (Map.Entry<Long, Hash> ack : new TreeMap<>(acknowledged).entrySet()) {
            int leafIndex = Math.toIntExact(ack.getKey());
            assertThat(Rfc9162.leafHash(replicas.get(0).get(leafIndex))).as("acknowledged leaf %d", leafIndex)
                    .isEqualTo(ack.getValue());
        }
        for (int i = 1; i < 3; i++) {
            for (int leafIndex = 0; leafIndex < size; leafIndex++) {
                assertThat(replicas.get(i).get(leafIndex)).as("node %d leaf %d", i, leafIndex)
                        .isEqualTo(replicas.get(0).get(leafIndex));
            }
        }
        // The minority's own Raft log never reached the shared history: a probe can appear only if its
        // Raft client re-sent it to the majority leader after the heal (never acknowledged to us).
        for (int leafIndex = 0; leafIndex < sizeAtHeal; leafIndex++) {
            assertThat(new String(replicas.get(0).get(leafIndex), StandardCharsets.UTF_8)).as("leaf %d", leafIndex)
                    .doesNotContain("minority-");
        }
        for (int i = 0; i < 3; i++) {
            assertConsecutiveCheckpointsConsistent(i, checkpoints.get(i));
        }
        System.out.println("split-brain test took " + elapsed(started));
    }

    private void sampleCheckpoints() {
        for (int i = 0; i < 3; i++) {
            try (IndelibleClient client = client(i, Duration.ofSeconds(3))) {
                checkpoints.get(i).add(client.checkpoint(LOG));
            } catch (RuntimeException e) {
                // none published yet
            }
        }
    }

    /** In the order fetched from one node, tree sizes never shrink and each step is proven consistent. */
    private void assertConsecutiveCheckpointsConsistent(int node, List<byte[]> notes) {
        assertThat(notes).as("checkpoints from node %d", node).hasSizeGreaterThan(1);
        try (IndelibleClient client = client(node, Duration.ofSeconds(10))) {
            for (int i = 1; i < notes.size(); i++) {
                Checkpoint from = Checkpoint.parse(Notes.parse(notes.get(i - 1)).text());
                Checkpoint to = Checkpoint.parse(Notes.parse(notes.get(i)).text());
                assertThat(to.treeSize()).as("node %d checkpoint %d", node, i).isGreaterThanOrEqualTo(from.treeSize());
                if (from.treeSize() == to.treeSize()) {
                    assertThat(to.rootHash()).isEqualTo(from.rootHash());
                    continue;
                }
                MerkleVerifier.verifyConsistency(from.treeSize(), to.treeSize(), from.rootHash(), to.rootHash(),
                        client.consistencyProof(LOG, from.treeSize(), to.treeSize()).hashes());
            }
        }
    }

    private void appendUntilAcknowledged(int node, String action, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (IndelibleClient client = client(node, Duration.ofSeconds(5))) {
                for (AppendedEntry entry : client.append(LOG, List.of(event(action)))) {
                    acknowledged.put(entry.leafIndex(), entry.leafHash());
                }
                return;
            } catch (RuntimeException e) {
                sleep(50);
            }
        }
        throw new AssertionError("no append acknowledged by node " + node + " within " + timeout);
    }

    private static byte[] event(String action) {
        return ("{\"actor\":\"splitbrain\",\"action\":\"" + action + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private List<byte[]> awaitEntries(int node, long size) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (true) {
            try (IndelibleClient client = client(node, Duration.ofSeconds(10))) {
                if (client.logInfo(LOG).treeSize() >= size) {
                    List<byte[]> entries = new ArrayList<>();
                    client.entries(LOG, 0, size, (bytes, leafIndex) -> entries.add(bytes));
                    return entries;
                }
            } catch (RuntimeException e) {
                // not caught up yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("node " + node + " did not reach tree size " + size);
            }
            sleep(100);
        }
    }

    private IndelibleClient client(int node, Duration timeout) {
        return IndelibleClient.builder()
                .baseUrl("http://127.0.0.1:" + httpPorts[node])
                .requestTimeout(timeout)
                .retryPolicy(RetryPolicy.none())
                .build();
    }

    private void start(int i, String clusterSpec, Path key) throws IOException {
        String jar = System.getProperty("indelible.cli.jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path data = dir.resolve("n" + (i + 1));
        Files.createDirectories(data);
        List<String> command = List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar, "server",
                "--node-id", "n" + (i + 1), "--cluster", clusterSpec, "--listen", "127.0.0.1:" + httpPorts[i],
                "--data", data.toString(), "--log-key", key.toString(), "--checkpoint-interval", "200", "--auth", "off",
                "--election-timeout", "200");
        processes.set(i, new ProcessBuilder(cut.wrap(i, command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("server.log").toFile()))
                .start());
    }

    private void awaitHealthy(int i) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (get(i, "/healthz") != null) {
                return;
            }
            assertThat(processes.get(i).isAlive()).as("node %d alive", i).isTrue();
            sleep(100);
        }
        throw new AssertionError("node " + i + " not healthy within " + START_TIMEOUT);
    }

    /** A node other than {@code except} that says it leads. */
    private int awaitLeader(int except) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 3; i++) {
                JsonNode status = i == except ? null : get(i, "/v1/cluster");
                if (status != null && "LEADER".equals(status.path("role").asText())) {
                    return i;
                }
            }
            sleep(50);
        }
        throw new AssertionError("no leader within " + START_TIMEOUT);
    }

    private JsonNode get(int node, String path) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[node] + path))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String elapsed(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since) + " ms";
    }



    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
