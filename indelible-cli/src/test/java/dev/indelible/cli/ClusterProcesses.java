package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.client.IndelibleClient;
import dev.indelible.client.RetryPolicy;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.formats.note.NoteKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Three server JVMs from the CLI jar ({@code indelible.cli.jar}) on 127.0.0.1, for the process
 * tests: one Raft cluster n1..n3 (numbered 0..2 here) with access control off, sharing a fresh log
 * key. Ports are chosen free when the cluster is made and kept across restarts; each node keeps its
 * data and its {@code server.log} under {@code dir/n<i>}, which outlive the run so that a failure can
 * be read. Every wait is bounded by the {@code wait} given at construction. {@link #close()} kills
 * every node still running.
 */
final class ClusterProcesses implements AutoCloseable {
    /** The log every process test writes to. */
    static final String LOG = "audit";

    private static final int SIZE = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Duration wait;
    private final Path key;
    private final int[] httpPorts = new int[SIZE];
    private final int[] raftPorts = new int[SIZE];
    private final String clusterSpec;
    private final List<Process> processes = new ArrayList<>(Collections.nCopies(SIZE, null));
    private final HttpClient http;
    private String electionTimeoutMillis = "200";
    private String auth = "off";
    private String checkpointIntervalMillis = "200";
    private BiFunction<Integer, List<String>, List<String>> commandWrapper = (node, command) -> command;

    /**
     * Creates {@code dir}, writes a new Ed25519 log key named {@code keyName} into it and picks the
     * ports; starts nothing.
     */
    ClusterProcesses(Path dir, String keyName, Duration wait) throws IOException {
        this.dir = dir;
        this.wait = wait;
        Files.createDirectories(dir);
        key = dir.resolve("log.key");
        Files.writeString(
                key, NoteKeys.generateEd25519(keyName, new SecureRandom()).signerKey() + "\n");
        List<String> members = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            httpPorts[i] = LoopbackPorts.free();
            raftPorts[i] = LoopbackPorts.free();
            members.add("n" + (i + 1) + "=127.0.0.1:" + raftPorts[i]);
        }
        clusterSpec = String.join(",", members);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** The servers' {@code --election-timeout}, as given on the command line (default 200). */
    ClusterProcesses withElectionTimeoutMillis(String millis) {
        this.electionTimeoutMillis = millis;
        return this;
    }

    /** The servers' {@code --auth} mode (default {@code off}). */
    ClusterProcesses withAuth(String mode) {
        this.auth = mode;
        return this;
    }

    /** The servers' {@code --checkpoint-interval} in ms (default 200), or null for the server's own default. */
    ClusterProcesses withCheckpointIntervalMillis(String millis) {
        this.checkpointIntervalMillis = millis;
        return this;
    }

    /** Node {@code i} runs {@code wrapper.apply(i, command)} instead of the server command itself. */
    ClusterProcesses withCommandWrapper(BiFunction<Integer, List<String>, List<String>> wrapper) {
        this.commandWrapper = wrapper;
        return this;
    }

    /** Node {@code i}'s HTTP base URL. */
    String url(int i) {
        return "http://127.0.0.1:" + httpPorts[i];
    }

    /** The Raft port of every node, by node number. */
    int[] raftPorts() {
        return raftPorts.clone();
    }

    /** Starts every node, then waits until each answers {@code /healthz}. */
    void startAll() throws IOException {
        for (int i = 0; i < SIZE; i++) {
            start(i);
        }
        for (int i = 0; i < SIZE; i++) {
            awaitHealthy(i);
        }
    }

    /** Starts node {@code i}'s JVM (its output appended to its {@code server.log}); does not wait for it. */
    void start(int i) throws IOException {
        String jar = System.getProperty("indelible.cli.jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path data = dir.resolve("n" + (i + 1));
        Files.createDirectories(data);
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-jar",
                jar,
                "server",
                "--node-id",
                "n" + (i + 1),
                "--cluster",
                clusterSpec,
                "--listen",
                "127.0.0.1:" + httpPorts[i],
                "--data",
                data.toString(),
                "--log-key",
                key.toString(),
                "--auth",
                auth,
                "--election-timeout",
                electionTimeoutMillis));
        if (checkpointIntervalMillis != null) {
            command.addAll(List.of("--checkpoint-interval", checkpointIntervalMillis));
        }
        processes.set(
                i,
                new ProcessBuilder(commandWrapper.apply(i, command))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile()))
                        .start());
    }

    /** Node {@code i}'s server output (all of its starts). */
    Path log(int i) {
        return dir.resolve("n" + (i + 1)).resolve("server.log");
    }

    /** Kills node {@code i} with SIGKILL and waits up to 10 s for it to go. */
    void kill(int i) throws InterruptedException {
        processes.get(i).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        processes.set(i, null);
    }

    /**
     * Stops node {@code i} with SIGTERM (its shutdown hook runs: a leader hands its leadership over)
     * and waits up to 30 s for it to go, then kills it.
     */
    void stop(int i) throws InterruptedException {
        Process process = processes.get(i);
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("n" + (i + 1) + " did not stop within 30 s of SIGTERM");
        }
        processes.set(i, null);
    }

    /** Whether node {@code i} was started and not killed since. */
    boolean running(int i) {
        return processes.get(i) != null;
    }

    /** Waits until node {@code i} answers {@code /healthz}; fails at once if its JVM exits. */
    void awaitHealthy(int i) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (get(i, "/healthz") != null) {
                return;
            }
            assertThat(processes.get(i).isAlive()).as("node %d alive", i).isTrue();
            sleep(100);
        }
        throw new AssertionError("node " + i + " not healthy within " + wait);
    }

    /** Node {@code i}'s {@code /readyz} status code, or -1 if it does not answer (2 s timeout). */
    int readiness(int i) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(url(i) + "/readyz"))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits until node {@code i} answers {@code /readyz} with {@code status} (200 or 503). */
    void awaitReadiness(int i, int status) {
        long deadline = System.nanoTime() + wait.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = readiness(i);
            if (last == status) {
                return;
            }
            sleep(20);
        }
        throw new AssertionError("node " + i + " /readyz answered " + last + ", not " + status + ", for " + wait);
    }

    /** A running node that says it leads. */
    int awaitLeader() {
        return awaitLeader(-1);
    }

    /** A running node other than {@code except} that says it leads. */
    int awaitLeader(int except) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < SIZE; i++) {
                JsonNode status = i == except || !running(i) ? null : get(i, "/v1/cluster");
                if (status != null && "LEADER".equals(status.path("role").asText())) {
                    return i;
                }
            }
            sleep(50);
        }
        throw new AssertionError("no leader within " + wait);
    }

    /** GET {@code path} from node {@code i} (2 s timeout): the JSON body of a 200, else null. */
    JsonNode get(int i, String path) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(url(i) + path))
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

    /** An SDK client of node {@code i} that does not retry; the caller closes it. */
    IndelibleClient client(int i, Duration requestTimeout) {
        return IndelibleClient.builder()
                .baseUrl(url(i))
                .requestTimeout(requestTimeout)
                .retryPolicy(RetryPolicy.none())
                .build();
    }

    /** Waits until node {@code i}'s log holds {@code size} entries; returns them, in leaf order. */
    List<byte[]> awaitEntries(int i, long size) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try (IndelibleClient client = client(i, Duration.ofSeconds(10))) {
                if (client.logInfo(LOG).treeSize() >= size) {
                    List<byte[]> entries = new ArrayList<>();
                    client.entries(LOG, 0, size, (bytes, leafIndex) -> entries.add(bytes));
                    return entries;
                }
            } catch (RuntimeException e) {
                // not caught up yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("node " + i + " did not reach tree size " + size);
            }
            sleep(100);
        }
    }

    /**
     * Waits until every node holds the log up to the highest acknowledged leaf index, and asserts
     * that each acknowledged entry is at its leaf index and that every node holds byte-identical
     * entries. Returns node 0's entries.
     */
    List<byte[]> assertEveryNodeHoldsTheAcknowledgedEntries(Map<Long, Hash> acknowledged) {
        long size =
                acknowledged.keySet().stream().mapToLong(Long::longValue).max().orElseThrow() + 1;
        List<List<byte[]>> replicas = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            replicas.add(awaitEntries(i, size));
        }
        for (Map.Entry<Long, Hash> ack : new TreeMap<>(acknowledged).entrySet()) {
            int leafIndex = Math.toIntExact(ack.getKey());
            assertThat(Rfc9162.leafHash(replicas.get(0).get(leafIndex)))
                    .as("acknowledged leaf %d", leafIndex)
                    .isEqualTo(ack.getValue());
        }
        for (int i = 1; i < SIZE; i++) {
            for (int leafIndex = 0; leafIndex < size; leafIndex++) {
                assertThat(replicas.get(i).get(leafIndex))
                        .as("node %d leaf %d", i, leafIndex)
                        .isEqualTo(replicas.get(0).get(leafIndex));
            }
        }
        return replicas.get(0);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Kills every node still running (SIGKILL, up to 10 s each) and closes the HTTP client. */
    @Override
    public void close() throws InterruptedException {
        for (Process process : processes) {
            if (process != null) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        http.close();
    }
}
