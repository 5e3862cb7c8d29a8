package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three real server JVMs from the CLI jar on 127.0.0.1, under continuous appends from two
 * threads; the leader is killed with SIGKILL {@code indelible.it.kills} times (default 3) and
 * restarted. Afterwards every acknowledged entry is on every node, byte-identical at its leaf
 * index, and every pair of consecutive checkpoints seen during the run is proven consistent. Then a
 * follower is killed and restarted, and two of three nodes are killed: the survivor must not
 * acknowledge an append until they are back.
 * Prints each failover time (leader kill to the first acknowledged append through a survivor).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ClusterProcessIT {
    private static final String LOG = "audit";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** Under target/, kept after the run so that the servers' logs can be read when it fails. */
    private final Path dir = Path.of("target", "cluster-it", Long.toString(System.currentTimeMillis())).toAbsolutePath();

    private final List<Process> processes = new ArrayList<>(Collections.nCopies(3, null));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int[] httpPorts;
    private String clusterSpec;
    private Path key;

    @AfterEach
    void killAll() {
        for (Process process : processes) {
            if (process != null) {
                process.destroyForcibly();
            }
        }
        http.close();
    }

    @Test
    void everyAcknowledgedAppendSurvivesLeaderKills() throws Exception {
        int kills = Integer.getInteger("indelible.it.kills", 3);
        Files.createDirectories(dir);
        key = dir.resolve("log.key");
        Files.writeString(key, NoteKeys.generateEd25519("it.cluster", new SecureRandom()).signerKey() + "\n");
        httpPorts = new int[3];
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            httpPorts[i] = LoopbackPorts.free();
            members.add("n" + (i + 1) + "=127.0.0.1:" + LoopbackPorts.free());
        }
        clusterSpec = String.join(",", members);
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        for (int i = 0; i < 3; i++) {
            awaitHealthy(i);
        }
        int firstLeader = awaitLeader();
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
                int leader = awaitLeader();
                int survivor = (leader + 1) % 3;
                long killedAt = System.nanoTime();
                processes.get(leader).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                processes.set(leader, null);
                appendUntilAcknowledged(survivor, acknowledged, Duration.ofSeconds(30));
                failoverMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
                System.out.println(java.time.Instant.now() + " kill " + k + " of n" + (leader + 1) + ": "
                        + failoverMillis.getLast() + " ms to the first acknowledged append via n" + (survivor + 1));
                start(leader);
                awaitHealthy(leader);
            }
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
            System.out.println("failover median " + sorted.get(sorted.size() / 2) + " ms, max " + sorted.getLast() + " ms over "
                    + sorted.size() + " kills; " + acknowledged.size() + " entries acknowledged");
        }
        assertThat(acknowledged).isNotEmpty();
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
        assertConsecutiveCheckpointsConsistent(checkpoints);
    }

    private void killAndRestartAFollower(Map<Long, Hash> acknowledged) throws Exception {
        int leader = awaitLeader();
        int follower = (leader + 1) % 3;
        processes.get(follower).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        processes.set(follower, null);
        appendUntilAcknowledged(leader, acknowledged, Duration.ofSeconds(10));
        start(follower);
        awaitHealthy(follower);
    }

    /** With two of three nodes killed, the survivor cannot acknowledge; after restart, appends resume. */
    private void majorityLossRefusesAppendsUntilRestart(Map<Long, Hash> acknowledged) throws Exception {
        int leader = awaitLeader();
        int follower = (leader + 1) % 3;
        int survivor = (leader + 2) % 3;
        for (int node : new int[] {leader, follower}) {
            processes.get(node).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            processes.set(node, null);
        }
        try (IndelibleClient client = IndelibleClient.builder()
                .baseUrl("http://127.0.0.1:" + httpPorts[survivor])
                .requestTimeout(Duration.ofSeconds(3))
                .retryPolicy(RetryPolicy.none())
                .build()) {
            byte[] event = "{\"actor\":\"probe\",\"action\":\"minority\"}".getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> client.append(LOG, List.of(event))).as("a minority must not acknowledge");
        }
        start(leader);
        start(follower);
        awaitHealthy(leader);
        awaitHealthy(follower);
        appendUntilAcknowledged(survivor, acknowledged, Duration.ofSeconds(60));
    }

    private void load(int writer, AtomicBoolean loading, Map<Long, Hash> acknowledged, List<byte[]> checkpoints) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        for (int n = 0; n < 1_000_000 && loading.get() && System.nanoTime() < deadline; n++) {
            int node = ThreadLocalRandom.current().nextInt(3);
            List<byte[]> events = new ArrayList<>();
            for (int e = 0; e < 5; e++) {
                events.add(("{\"actor\":\"w" + writer + "\",\"action\":\"n" + n + "e" + e + "\"}").getBytes(StandardCharsets.UTF_8));
            }
            try (IndelibleClient client = client(node)) {
                for (AppendedEntry entry : client.append(LOG, events)) {
                    acknowledged.put(entry.leafIndex(), entry.leafHash());
                }
                if (n % 10 == 0) {
                    checkpoints.add(client.checkpoint(LOG));
                }
            } catch (RuntimeException e) {
                sleep(50); // node down or failing over: not acknowledged, so nothing is promised
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
                sleep(20);
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
                MerkleVerifier.verifyConsistency(from.treeSize(), to.treeSize(), from.rootHash(), to.rootHash(),
                        client.consistencyProof(LOG, from.treeSize(), to.treeSize()).hashes());
            }
        }
    }

    private List<byte[]> awaitEntries(int node, long size) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (IndelibleClient client = client(node)) {
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

    private IndelibleClient client(int node) {
        return IndelibleClient.builder()
                .baseUrl("http://127.0.0.1:" + httpPorts[node])
                .requestTimeout(Duration.ofSeconds(10))
                .retryPolicy(RetryPolicy.none())
                .build();
    }

    private void start(int i) throws IOException {
        String jar = System.getProperty("indelible.cli.jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path data = dir.resolve("n" + (i + 1));
        Files.createDirectories(data);
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar, "server",
                "--node-id", "n" + (i + 1), "--cluster", clusterSpec, "--listen", "127.0.0.1:" + httpPorts[i],
                "--data", data.toString(), "--log-key", key.toString(), "--checkpoint-interval", "200", "--auth", "off",
                "--election-timeout", System.getProperty("indelible.it.electionTimeoutMillis", "200"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("server.log").toFile()));
        processes.set(i, builder.start());
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

    /** {@code indelible cluster status} against a follower names every member and the leader. */
    private void assertClusterStatusPrints(int leader) {
        java.io.StringWriter out = new java.io.StringWriter();
        for (int attempt = 0; attempt < 40 && !out.toString().contains("leader n" + (leader + 1)); attempt++) {
            sleep(attempt == 0 ? 0 : 250); // the follower learns who leads from the leader's first heartbeat
            out = new java.io.StringWriter();
            picocli.CommandLine cli = new picocli.CommandLine(new ClusterCommand());
            cli.setOut(new java.io.PrintWriter(out, true));
            assertThat(cli.execute("status", "--url", "http://127.0.0.1:" + httpPorts[(leader + 1) % 3])).isZero();
        }
        assertThat(out.toString()).contains("leader n" + (leader + 1)).contains("n1").contains("n2").contains("n3")
                .contains("LEADER").contains("FOLLOWER");
    }

    /** Waits until every node is up and has applied what the others have (a healthy cluster to fail). */
    private void awaitConverged() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < 3; i++) {
                JsonNode status = processes.get(i) == null ? null : get(i, "/v1/cluster");
                long applied = status == null ? -1 : status.path("appliedRaftIndex").asLong(-1);
                min = Math.min(min, applied);
                max = Math.max(max, applied);
            }
            if (min >= 0 && max - min < 50) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("nodes did not converge within " + START_TIMEOUT);
    }

    private int awaitLeader() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 3; i++) {
                JsonNode status = processes.get(i) == null ? null : get(i, "/v1/cluster");
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



    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
