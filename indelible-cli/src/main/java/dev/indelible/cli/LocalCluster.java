package dev.indelible.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.server.LogKey;
import dev.indelible.storage.io.FileIO;
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
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Three server JVMs on 127.0.0.1, children of this process (so that killing one is a real
 * failover): HTTP on ports P..P+2, Raft on P+1000..P+1002, access control off, each node's data and
 * {@code server.log} under {@code root/nN}. Used by {@code cluster demo} and {@code aot-cache}.
 */
final class LocalCluster implements AutoCloseable {
    static final int NODES = 3;
    static final int RAFT_PORT_OFFSET = 1000;
    // 1 GiB: a 1,000-event request is one ≈ 600 KB Raft entry, held several times over in gRPC
    // buffers under load (256 MiB ran out of heap). Out of memory is fail-stop: the node exits
    // and the others carry on, rather than limping with dead gRPC threads. G1 regions of 4 MB
    // keep such an entry from being a humongous object, and a 20 ms pause target keeps young
    // collections short (as ./indelible does; docs/BENCHMARKS.md, "GC"). A fixed heap, as README
    // recommends: left to resize it, G1 once shrank a follower's heap to 240 MB under load and
    // collected 16 times a second (docs/BENCHMARKS.md, "The half-rate tail"); Linux commits its
    // pages only as they are first used.
    static final List<String> JVM_OPTIONS = List.of(
            "-Xms1g", "-Xmx1g", "-XX:+ExitOnOutOfMemoryError", "-XX:G1HeapRegionSize=4m", "-XX:MaxGCPauseMillis=20");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final int basePort;
    private final Path key;
    private final IntFunction<List<String>> jvmOptions;
    private final Process[] processes = new Process[NODES];
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param jvmOptions options for node {@code i}'s JVM besides the standard ones (heap and GC)
     */
    LocalCluster(Path root, int basePort, Path key, IntFunction<List<String>> jvmOptions) {
        this.root = root;
        this.basePort = basePort;
        this.key = key;
        this.jvmOptions = jvmOptions;
    }

    /** Why {@code --base-port basePort} cannot be used, if it cannot. */
    static Optional<String> basePortProblem(int basePort) {
        if (basePort >= 1 && basePort + RAFT_PORT_OFFSET + NODES - 1 <= 65_535) {
            return Optional.empty();
        }
        return Optional.of("--base-port " + basePort + " leaves no room for P+" + (RAFT_PORT_OFFSET + NODES - 1));
    }

    /** Generates a log signing key named {@code name} at {@code key} unless a file is there; true if it did. */
    static boolean createKeyIfMissing(Path key, String name) throws IOException {
        if (Files.exists(key)) {
            return false;
        }
        NoteKeys.KeyPairText pair = NoteKeys.generateEd25519(name, new SecureRandom());
        LogKey.createExclusive(key, pair.signerKey() + "\n", FileIO.posix());
        return true;
    }

    static String id(int i) {
        return "n" + (i + 1);
    }

    String url(int i) {
        return "http://127.0.0.1:" + (basePort + i);
    }

    int raftPort(int i) {
        return basePort + RAFT_PORT_OFFSET + i;
    }

    Path log(int i) {
        return root.resolve(id(i)).resolve("server.log");
    }

    Process process(int i) {
        return processes[i];
    }

    private String members() {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            members.add(id(i) + "=127.0.0.1:" + raftPort(i));
        }
        return String.join(",", members);
    }

    /** Starts node {@code i}'s JVM, its output appended to its {@code server.log}; does not wait for it. */
    void start(int i) throws IOException {
        Path dir = root.resolve(id(i));
        Files.createDirectories(dir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(JVM_OPTIONS);
        command.addAll(jvmOptions.apply(i));
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "server",
                "--node-id",
                id(i),
                "--cluster",
                members(),
                "--listen",
                "127.0.0.1:" + (basePort + i),
                "--data",
                dir.toString(),
                "--log-key",
                key.toString(),
                "--auth",
                "off"));
        processes[i] = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile()))
                .start();
    }

    /** Waits until node {@code i} answers {@code /healthz}; fails if its JVM exits first. */
    void awaitHealthy(int i, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!processes[i].isAlive()) {
                throw new IllegalStateException(
                        "node " + id(i) + " exited with " + processes[i].exitValue() + "; see " + log(i));
            }
            if (get(i, "/healthz").isPresent()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("node " + id(i) + " not healthy within " + timeout);
    }

    /** The body of a 200 answer to {@code GET path} on node {@code i}; empty on any other outcome. */
    Optional<byte[]> get(int i, String path) throws InterruptedException {
        try {
            HttpResponse<byte[]> response = http.send(
                    HttpRequest.newBuilder(URI.create(url(i) + path))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The status of {@code POST path} with {@code body} to node {@code i}, or -1 if it had none. */
    int post(int i, String path, String contentType, String body) throws InterruptedException {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(url(i) + path))
                                    .timeout(Duration.ofSeconds(10))
                                    .header("Content-Type", contentType)
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The index of the leader that a live node reports, if one does. */
    Optional<Integer> leader() throws InterruptedException {
        for (int i = 0; i < NODES; i++) {
            if (processes[i] == null || !processes[i].isAlive()) {
                continue;
            }
            Optional<byte[]> body = get(i, "/v1/cluster");
            if (body.isEmpty()) {
                continue;
            }
            try {
                JsonNode leader = JSON.readTree(body.get()).path("leader");
                for (int j = 0; j < NODES && leader.isTextual(); j++) {
                    if (id(j).equals(leader.asText())) {
                        return Optional.of(j);
                    }
                }
            } catch (IOException e) {
                // not JSON: ask the next node
            }
        }
        return Optional.empty();
    }

    /** Stops node {@code i}: SIGTERM (a clean close), then SIGKILL if it does not exit in time. */
    void stop(int i) throws InterruptedException {
        Process process = processes[i];
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops every node (all signalled first, so that they go down together). */
    @Override
    public void close() {
        Arrays.stream(processes).filter(p -> p != null).forEach(Process::destroy);
        for (int i = 0; i < NODES; i++) {
            try {
                stop(i);
            } catch (InterruptedException e) {
                processes[i].destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        http.close();
    }
}
