package dev.indelible.cli;

import dev.indelible.formats.note.KeyText;
import dev.indelible.server.LogKey;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
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
    static final int NODES = LocalCluster.NODES;
    static final String KEY_NAME = "demo.indelible.local";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

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

    private LocalCluster cluster;

    @Override
    public Integer call() throws Exception {
        LocalCluster.basePortProblem(basePort).ifPresent(problem -> {
            throw new ParameterException(spec.commandLine(), problem);
        });
        PrintWriter out = spec.commandLine().getOut();
        Path root = data.toAbsolutePath();
        Files.createDirectories(root);
        Path key = root.resolve("cluster.key");
        if (LocalCluster.createKeyIfMissing(key, KEY_NAME)) {
            out.println("Generated the shared log signing key " + key + " (same as: indelible keys generate --name "
                    + KEY_NAME + " --out " + key + ")");
        }
        String origin = KeyText.parseSignerKey(Files.readString(key).strip()).name();
        cluster = new LocalCluster(root, basePort, key, i -> AotCache.useOptions());
        Thread stopper = new Thread(this::stopAll, "cluster-demo-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        for (int i = 0; i < NODES; i++) {
            cluster.start(i);
        }
        for (int i = 0; i < NODES; i++) {
            cluster.awaitHealthy(i, START_TIMEOUT);
        }
        out.println();
        out.println("A 3-node indelible cluster is running (access control is off: loopback only, for trying it out).");
        for (int i = 0; i < NODES; i++) {
            out.printf(
                    "  %s  %s  pid %d  raft 127.0.0.1:%d  log %s%n",
                    LocalCluster.id(i), cluster.url(i), cluster.process(i).pid(), cluster.raftPort(i), cluster.log(i));
        }
        out.println("Verifier key of log \"audit\": " + LogKey.load(key).verifierKey(origin + "/audit"));
        out.println("Try:");
        out.println("  curl -H 'Content-Type: application/json' -d '{\"hello\":\"world\"}' " + cluster.url(1)
                + "/v1/logs/audit/entries");
        out.println("  curl " + cluster.url(2) + "/v1/logs/audit/entries/0");
        out.println("  indelible cluster status --url " + cluster.url(0));
        out.println("  kill -9 <pid of the leader>   # a new leader is elected; appends to the others go on");
        out.println("Press Ctrl-C to stop every node.");
        out.println("Cluster ready");
        out.flush();
        watch(out);
        return 0;
    }

    /** Reports nodes that exit (e.g. killed to show a failover) until this process is stopped. */
    private void watch(PrintWriter out) throws InterruptedException {
        boolean[] reported = new boolean[NODES];
        while (true) {
            for (int i = 0; i < NODES; i++) {
                Process process = cluster.process(i);
                if (!reported[i] && !process.isAlive()) {
                    reported[i] = true;
                    out.println(
                            "node " + LocalCluster.id(i) + " (pid " + process.pid() + ") exited with "
                                    + process.exitValue()
                                    + "; the others go on while a majority is up. Ctrl-C and run the demo again to restart it.");
                    out.flush();
                }
            }
            Thread.sleep(500);
        }
    }

    /** Stops every node: SIGTERM (a clean close), then SIGKILL if one does not exit in time. */
    private void stopAll() {
        cluster.close();
        System.err.println("cluster demo: stopped " + NODES + " nodes");
    }
}
