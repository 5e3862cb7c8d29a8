package dev.indelible.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code aot-cache}: trains and writes a JDK AOT cache (JEPs 483, 514, 515) for this jar. A node
 * that takes the lead for the first time since it started otherwise runs Ratis's leader code cold
 * (loading, linking and interpreting some 200 classes and lambdas on two slow cores took 360 ms),
 * which is a large share of a failover. So the training is a 3-node cluster under load in which the
 * leadership moves once: the JVM of the node that followed and then led records what it loaded,
 * linked and profiled, and the cache is made from that recording. The traffic includes requests of
 * 1,000 events shaped like Kubernetes audit events, so that the recorded profiles cover the paths a
 * collector's batches take: with them, the JIT compilers of a 3-node cluster under load took 14 %
 * less CPU in its first two minutes than after a training of small requests only, and with either
 * cache about a third of what they took without one. 40 s of load on each side of the hand-over
 * instead of 15 s left the servers' other threads 10 % less CPU to spend (docs/BENCHMARKS.md,
 * session 18).
 */
@Command(
        name = "aot-cache",
        mixinStandardHelpOptions = true,
        description = {
            "Make a JDK AOT cache for this jar (needs JDK 25+): runs a 3-node cluster on 127.0.0.1 under "
                    + "load, moves the leadership once, records the JVM of the node that followed and then led, "
                    + "and writes the cache (by default beside the jar: indelible.jar -> indelible.aot). "
                    + "./indelible and 'cluster demo' start servers with it while it is newer than the jar: they "
                    + "start faster, and a node that leads for the first time since it started runs warm code."
        })
final class AotCacheCommand implements Callable<Integer> {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CREATE_TIMEOUT = Duration.ofMinutes(5);
    private static final String LOG = "/v1/logs/audit";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 5,000 such events are ≈ 3.5 MB, far below the server's default request body limit (32 MB). */
    private static final int BATCH_MAX = 5_000;

    private static final String[] VERBS = {"get", "list", "watch", "update", "patch", "create", "delete"};

    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Where to write the cache (default: beside the jar, .jar replaced by .aot).")
    Path out;

    @Option(
            names = "--base-port",
            paramLabel = "P",
            defaultValue = "28081",
            description =
                    "First HTTP port of the training cluster: P..P+2, Raft on P+1000..P+1002 (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(
            names = "--seconds",
            paramLabel = "N",
            defaultValue = "40",
            description = "Seconds of load before and after the leadership moves (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Events per large training request, shaped like Kubernetes audit events (default:"
                    + " ${DEFAULT-VALUE}; 0: none, only 100-event and single-event requests).")
    int batch;

    @Override
    public Integer call() throws Exception {
        LocalCluster.basePortProblem(basePort).ifPresent(problem -> {
            throw new ParameterException(spec.commandLine(), problem);
        });
        if (seconds < 1) {
            throw new ParameterException(spec.commandLine(), "--seconds must be at least 1, not " + seconds);
        }
        if (batch < 0 || batch > BATCH_MAX) {
            throw new ParameterException(
                    spec.commandLine(), "--batch must be between 0 and " + BATCH_MAX + ", not " + batch);
        }
        if (!AotCache.supported()) {
            throw new IllegalStateException("an AOT cache needs JDK " + AotCache.MIN_JDK
                    + " or newer; this is JDK " + Runtime.version().feature() + " (" + System.getProperty("java.home")
                    + ")");
        }
        Path jar = AotCache.runningJar();
        Path target = (out == null ? AotCache.defaultFile(jar) : out).toAbsolutePath();
        PrintWriter console = spec.commandLine().getOut();
        long started = System.nanoTime();
        Path work = Files.createTempDirectory("indelible-aot-");
        Path[] recordings = new Path[LocalCluster.NODES];
        for (int i = 0; i < LocalCluster.NODES; i++) {
            recordings[i] = work.resolve(LocalCluster.id(i) + ".aotconf");
        }
        Training training;
        try {
            training = train(work, recordings, console);
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage() + " (training files kept in " + work + ")", e);
        }
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        create(jar, recordings[training.node()], temporary, work.resolve("create.log"));
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(work);
        console.printf(
                "wrote %s (%,d bytes) in %d s, recorded on %s: %,d appends (%,d events) and %,d reads answered, "
                        + "%,d requests refused or failed%n",
                target,
                Files.size(target),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
                LocalCluster.id(training.node()),
                training.load().appends,
                training.load().events,
                training.load().reads,
                training.load().failures);
        return 0;
    }

    /** The node whose recording makes the cache, and the traffic the cluster answered. */
    private record Training(int node, Load load) {}

    /**
     * Runs the training cluster: load under a first leader, that leader stopped (it hands over), load
     * under the next one, which is then stopped so that its JVM writes its recording.
     */
    private Training train(Path work, Path[] recordings, PrintWriter console) throws Exception {
        Path key = work.resolve("cluster.key");
        LocalCluster.createKeyIfMissing(key, "aot.indelible.local");
        try (LocalCluster cluster = new LocalCluster(
                work, basePort, key, i -> List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + recordings[i]))) {
            Thread stopper = new Thread(cluster::close, "aot-cache-stop"); // Ctrl-C: no node outlives us
            Runtime.getRuntime().addShutdownHook(stopper);
            for (int i = 0; i < LocalCluster.NODES; i++) {
                cluster.start(i);
            }
            for (int i = 0; i < LocalCluster.NODES; i++) {
                cluster.awaitHealthy(i, START_TIMEOUT);
            }
            int first = awaitLeader(cluster, -1);
            console.printf("training: %s leads; %d s of load%n", LocalCluster.id(first), seconds);
            console.flush();
            Load load = new Load(cluster, batch);
            load.run(Duration.ofSeconds(seconds), first);
            // SIGTERM: the leader hands its leadership to a follower, which now runs the leader's code
            cluster.stop(first);
            int next = awaitLeader(cluster, first);
            console.printf(
                    "training: %s stopped, %s leads; %d s of load%n",
                    LocalCluster.id(first), LocalCluster.id(next), seconds);
            console.flush();
            long before = load.appends;
            load.run(Duration.ofSeconds(seconds), first);
            if (load.appends == before) {
                throw new IllegalStateException("no append succeeded under the new leader " + LocalCluster.id(next)
                        + "; see " + cluster.log(next));
            }
            cluster.stop(next);
            if (!Files.isRegularFile(recordings[next]) || Files.size(recordings[next]) == 0) {
                throw new IllegalStateException(
                        "node " + LocalCluster.id(next) + " wrote no AOT recording; see " + cluster.log(next));
            }
            return new Training(next, load);
        }
    }

    /** Waits for a leader other than {@code not} (-1: any). */
    private static int awaitLeader(LocalCluster cluster, int not) throws InterruptedException {
        long deadline = System.nanoTime() + LEADER_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Integer> leader = cluster.leader();
            if (leader.isPresent() && leader.get() != not) {
                return leader.get();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no leader elected within " + LEADER_TIMEOUT);
    }

    /** {@code java -XX:AOTMode=create}: makes the cache from a recording, without running the application. */
    private static void create(Path jar, Path recording, Path cache, Path output) throws Exception {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(LocalCluster.JVM_OPTIONS);
        command.addAll(List.of(
                "-XX:AOTMode=create",
                "-XX:AOTConfiguration=" + recording,
                "-XX:AOTCache=" + cache,
                "-cp",
                jar.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(CREATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "making the AOT cache took longer than " + CREATE_TIMEOUT + "; see " + output);
        }
        if (process.exitValue() != 0 || !Files.isRegularFile(cache)) {
            throw new IllegalStateException("making the AOT cache failed (exit " + process.exitValue() + "): "
                    + Files.readString(output).strip());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /**
     * The training traffic, spread over the live nodes (so followers forward): batched and single
     * appends, appends that wait for a checkpoint, and every kind of read a verifier or an auditor makes.
     */
    private static final class Load {
        private final LocalCluster cluster;
        private final int auditBatch;
        long appends;
        long events;
        long reads;
        long failures;
        private long sequence;

        Load(LocalCluster cluster, int auditBatch) {
            this.cluster = cluster;
            this.auditBatch = auditBatch;
        }

        void run(Duration duration, int stopped) throws InterruptedException {
            long deadline = System.nanoTime() + duration.toNanos();
            int node = 0;
            while (System.nanoTime() < deadline) {
                node = (node + 1) % LocalCluster.NODES;
                Process process = cluster.process(node);
                if (node == stopped || process == null || !process.isAlive()) {
                    continue;
                }
                round(node);
            }
        }

        private void round(int node) throws InterruptedException {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                batch.append("{\"id\":\"aot-")
                        .append(sequence++)
                        .append("\",\"verb\":\"get\",\"user\":\"training\",\"resource\":\"pods\"}\n");
            }
            append(node, "", "application/x-ndjson", batch.toString(), 100);
            if (auditBatch > 0) {
                append(node, "", "application/x-ndjson", auditEvents(auditBatch), auditBatch);
            }
            append(node, "", "application/json", "{\"id\":\"aot-" + sequence++ + "\",\"verb\":\"delete\"}", 1);
            if (sequence % 50 < 2) {
                append(node, "?wait=checkpoint", "application/json", "{\"verb\":\"checkpointed\"}", 1);
            }
            long size = treeSize(node);
            List<String> paths = new ArrayList<>(List.of(
                    "/v1/logs", LOG + "/checkpoint", LOG + "/tlog/checkpoint", "/v1/cluster", "/readyz", "/healthz"));
            if (size > 0) {
                long leaf = sequence % size;
                paths.addAll(List.of(
                        LOG + "/entries/" + leaf,
                        LOG + "/entries/" + leaf + "/proof",
                        LOG + "/entries?start=" + leaf + "&end=" + Math.min(size, leaf + 50),
                        LOG + "/proof/inclusion?leafIndex=" + leaf + "&treeSize=" + size,
                        LOG + "/proof/consistency?from=" + Math.max(1, leaf) + "&to=" + size,
                        LOG + "/checkpoints/" + size,
                        LOG + "/tlog/tile/0/000" + (size >= 256 ? "" : ".p/" + size),
                        LOG + "/tlog/tile/entries/000" + (size >= 256 ? "" : ".p/" + size)));
            }
            for (String path : paths) {
                if (cluster.get(node, path).isPresent()) {
                    reads++;
                } else {
                    failures++;
                }
            }
        }

        /**
         * {@code count} events shaped like Kubernetes API audit events (nested objects and arrays,
         * about 600 bytes, members out of order): the large batches a collector sends, so that the
         * recorded profiles include the parse, hash, compress and replicate paths at their real sizes.
         */
        private String auditEvents(int count) {
            StringBuilder batch = new StringBuilder(count * 700);
            for (int i = 0; i < count; i++) {
                long n = sequence++;
                batch.append("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",")
                        .append("\"auditID\":\"aot-")
                        .append(n)
                        .append("\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/ns-")
                        .append(n % 97)
                        .append("/pods/pod-")
                        .append(n % 9973)
                        .append("\",\"verb\":\"")
                        .append(VERBS[(int) (n % VERBS.length)])
                        .append("\",\"user\":{\"username\":\"system:serviceaccount:kube-system:controller-")
                        .append(n % 31)
                        .append("\",\"uid\":\"")
                        .append(Long.toHexString(n * 0x9e3779b97f4a7c15L))
                        .append("\",\"groups\":[\"system:serviceaccounts\",\"system:authenticated\"]},")
                        .append("\"sourceIPs\":[\"10.0.")
                        .append(n % 250)
                        .append('.')
                        .append(n % 199)
                        .append("\"],\"userAgent\":\"kube-controller-manager/v1.31.2 (linux/amd64)\",")
                        .append("\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"ns-")
                        .append(n % 97)
                        .append("\",\"name\":\"pod-")
                        .append(n % 9973)
                        .append("\",\"apiVersion\":\"v1\"},\"responseStatus\":{\"metadata\":{},\"code\":")
                        .append(n % 50 == 0 ? 404 : 200)
                        .append("},\"requestReceivedTimestamp\":\"2026-11-28T01:00:00.")
                        .append(String.format(Locale.ROOT, "%06d", n % 1_000_000))
                        .append("Z\",\"annotations\":{\"authorization.k8s.io/decision\":\"allow\",")
                        .append("\"authorization.k8s.io/reason\":\"RBAC: allowed by ClusterRoleBinding\"}}\n");
            }
            return batch.toString();
        }

        private void append(int node, String query, String contentType, String body, int count)
                throws InterruptedException {
            if (cluster.post(node, LOG + "/entries" + query, contentType, body) == 200) {
                appends++;
                events += count;
            } else {
                failures++;
            }
        }

        private long treeSize(int node) throws InterruptedException {
            Optional<byte[]> body = cluster.get(node, LOG);
            if (body.isEmpty()) {
                return 0;
            }
            try {
                return JSON.readTree(body.get()).path("checkpointTreeSize").asLong(0);
            } catch (IOException e) {
                return 0;
            }
        }
    }
}
