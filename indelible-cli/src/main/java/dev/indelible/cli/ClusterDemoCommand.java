package dev.indelible.cli;

import dev.indelible.formats.note.KeyText;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.server.LogKey;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cluster demo}: three server JVMs on 127.0.0.1 (children of this process, so killing one
 * shows a real failover), sharing a log key generated on first use. Stops them all on Ctrl-C.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run a 3-node cluster on 127.0.0.1 for trying it out: HTTP on ports P, P+1, P+2 and Raft on "
                    + "P+1000..P+1002, one child JVM per node, access control off (loopback only). "
                    + "Ctrl-C stops every node; run it again with the same --data to restart with the data kept."
        })
final class ClusterDemoCommand implements Callable<Integer> {
    static final int NODES = 3;
    static final int RAFT_PORT_OFFSET = 1000;
    static final String KEY_NAME = "demo.indelible.local";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    @Spec
    CommandSpec spec;

    @Option(
            names = "--base-port",
            paramLabel = "P",
            defaultValue = "8081",
            description =
                    "First HTTP port; the nodes listen on P..P+2 and talk Raft on P+1000..P+1002 (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            defaultValue = "demo-cluster",
            description =
                    "Directory for the shared log key (cluster.key) and each node's data n1..n3 (default: ${DEFAULT-VALUE}).")
    Path data;

    private final List<Process> processes = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (basePort < 1 || basePort + RAFT_PORT_OFFSET + NODES - 1 > 65_535) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--base-port " + basePort + " leaves no room for P+" + (RAFT_PORT_OFFSET + NODES - 1));
        }
        PrintWriter out = spec.commandLine().getOut();
        Path root = data.toAbsolutePath();
        Files.createDirectories(root);
        Path key = root.resolve("cluster.key");
        if (!Files.exists(key)) {
            NoteKeys.KeyPairText pair = NoteKeys.generateEd25519(KEY_NAME, new SecureRandom());
            LogKey.createExclusive(key, pair.signerKey() + "\n", FileIO.posix());
            out.println("Generated the shared log signing key " + key + " (same as: indelible keys generate --name "
                    + KEY_NAME + " --out " + key + ")");
        }
        String origin = KeyText.parseSignerKey(Files.readString(key).strip()).name();
        List<String> members = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            members.add(id(i) + "=127.0.0.1:" + (basePort + RAFT_PORT_OFFSET + i));
        }
        String cluster = String.join(",", members);
        Thread stopper = new Thread(this::stopAll, "cluster-demo-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        for (int i = 0; i < NODES; i++) {
            processes.add(start(i, cluster, key, root));
        }
        for (int i = 0; i < NODES; i++) {
            awaitHealthy(i);
        }
        out.println();
        out.println("A 3-node indelible cluster is running (access control is off: loopback only, for trying it out).");
        for (int i = 0; i < NODES; i++) {
            out.printf(
                    "  %s  %s  pid %d  raft 127.0.0.1:%d  log %s%n",
                    id(i),
                    url(i),
                    processes.get(i).pid(),
                    basePort + RAFT_PORT_OFFSET + i,
                    root.resolve(id(i)).resolve("server.log"));
        }
        out.println("Verifier key of log \"audit\": " + LogKey.load(key).verifierKey(origin + "/audit"));
        out.println("Try:");
        out.println("  curl -H 'Content-Type: application/json' -d '{\"hello\":\"world\"}' " + url(1)
                + "/v1/logs/audit/entries");
        out.println("  curl " + url(2) + "/v1/logs/audit/entries/0");
        out.println("  indelible cluster status --url " + url(0));
        out.println("  kill -9 <pid of the leader>   # a new leader is elected; appends to the others go on");
        out.println("Press Ctrl-C to stop every node.");
        out.println("Cluster ready");
        out.flush();
        watch(out);
        return 0;
    }

    private static String id(int i) {
        return "n" + (i + 1);
    }

    private String url(int i) {
        return "http://127.0.0.1:" + (basePort + i);
    }

    private Process start(int i, String cluster, Path key, Path root) throws IOException {
        Path dir = root.resolve(id(i));
        Files.createDirectories(dir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // 1 GiB: a 1,000-event request is one ≈ 600 KB Raft entry, held several times over in gRPC
        // buffers under load (256 MiB ran out of heap). Out of memory is fail-stop: the node exits
        // and the others carry on, rather than limping with dead gRPC threads. G1 regions of 4 MB
        // keep such an entry from being a humongous object, and a 20 ms pause target keeps young
        // collections short (as ./indelible does; docs/BENCHMARKS.md, "GC").
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx1g",
                "-XX:+ExitOnOutOfMemoryError",
                "-XX:G1HeapRegionSize=4m",
                "-XX:MaxGCPauseMillis=20",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "server",
                "--node-id",
                id(i),
                "--cluster",
                cluster,
                "--listen",
                "127.0.0.1:" + (basePort + i),
                "--data",
                dir.toString(),
                "--log-key",
                key.toString(),
                "--auth",
                "off"));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("server.log").toFile()))
                .start();
    }

    private void awaitHealthy(int i) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            while (System.nanoTime() < deadline) {
                if (!processes.get(i).isAlive()) {
                    throw new IllegalStateException(
                            "node " + id(i) + " exited with " + processes.get(i).exitValue() + "; see "
                                    + data.resolve(id(i)).resolve("server.log"));
                }
                try {
                    HttpResponse<Void> response = http.send(
                            HttpRequest.newBuilder(URI.create(url(i) + "/healthz"))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("node " + id(i) + " not healthy within " + START_TIMEOUT);
    }

    /** Reports nodes that exit (e.g. killed to show a failover) until this process is stopped. */
    private void watch(PrintWriter out) throws InterruptedException {
        boolean[] reported = new boolean[NODES];
        while (true) {
            for (int i = 0; i < NODES; i++) {
                Process process = processes.get(i);
                if (!reported[i] && !process.isAlive()) {
                    reported[i] = true;
                    out.println(
                            "node " + id(i) + " (pid " + process.pid() + ") exited with " + process.exitValue()
                                    + "; the others go on while a majority is up. Ctrl-C and run the demo again to restart it.");
                    out.flush();
                }
            }
            Thread.sleep(500);
        }
    }

    /** Stops every node: SIGTERM (a clean close), then SIGKILL if one does not exit in time. */
    private void stopAll() {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        System.err.println("cluster demo: stopped " + processes.size() + " nodes");
    }
}
