package dev.indelible.cli;

import dev.indelible.log.LogConfig;
import dev.indelible.log.envelope.EventLimits;
import dev.indelible.server.IndelibleServer;
import dev.indelible.server.LogKey;
import dev.indelible.server.ServerConfig;
import dev.indelible.replication.ClusterConfig;
import dev.indelible.formats.note.KeyText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code indelible server}: runs a server (single node, or a cluster member) until interrupted. */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Run an indelible server: a single node, or with --cluster a member of a Raft cluster.")
final class ServerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to serve HTTP on (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:8080")
    String listen;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: ${DEFAULT-VALUE}).", defaultValue = "data")
    Path data;

    @Option(names = "--origin-host", paramLabel = "HOST", description = "Host part of new logs' checkpoint origins, <host>/<log> (default: the --listen address; in a cluster, the --log-key name).")
    String originHost;

    @Option(names = "--checkpoint-interval", paramLabel = "MILLIS", description = "Shortest time between checkpoints, ms (default: ${DEFAULT-VALUE}).",
            defaultValue = "1000")
    long checkpointIntervalMillis;

    @Option(names = "--event-max-bytes", paramLabel = "BYTES", description = "Largest accepted event (default: ${DEFAULT-VALUE}).",
            defaultValue = "1048576")
    int eventMaxBytes;

    @Option(names = "--body-max-bytes", paramLabel = "BYTES", description = "Largest accepted request body (default: ${DEFAULT-VALUE}).",
            defaultValue = "33554432")
    long bodyMaxBytes;

    @Option(names = "--node-id", paramLabel = "ID", description = "This node's id in --cluster.")
    String nodeId;

    @Option(names = "--cluster", paramLabel = "ID=HOST:PORT,...",
            description = "Every cluster member's Raft address, e.g. n1=127.0.0.1:9001,n2=127.0.0.1:9002,n3=127.0.0.1:9003. "
                    + "Without it the server runs as a single node.")
    String cluster;

    @Option(names = "--log-key", paramLabel = "FILE",
            description = "The log signing key (from 'indelible keys generate'); every cluster member needs the same one. "
                    + "Default: <data>/keys/" + LogKey.FILE_NAME + ", created on a single node's first start.")
    Path logKey;

    @Option(names = "--election-timeout", paramLabel = "MILLIS",
            description = "Raft election timeout lower bound, ms; the upper bound is twice it (default: ${DEFAULT-VALUE}).", defaultValue = "200")
    long electionTimeoutMillis;

    @Override
    public Integer call() throws Exception {
        HostPort address = HostPort.parse(listen);
        if (cluster != null && originHost == null && logKey != null) {
            // Every member must sign the same checkpoint text: the origin cannot default to a per-node address.
            originHost = KeyText.parseSignerKey(Files.readString(logKey).strip()).name();
        }
        LogConfig logConfig = LogConfig.defaults().withCheckpointInterval(Duration.ofMillis(checkpointIntervalMillis));
        EventLimits limits = new EventLimits(eventMaxBytes, EventLimits.DEFAULTS.batchMaxEvents());
        ServerConfig config = new ServerConfig(
                address.host(),
                address.port(),
                data.toAbsolutePath(),
                originHost != null ? originHost : address.host() + ":" + address.port(),
                bodyMaxBytes,
                logConfig,
                limits);
        Optional<ClusterConfig> clusterConfig = Optional.empty();
        if (cluster != null) {
            if (nodeId == null) {
                throw new ParameterException(spec.commandLine(), "--cluster needs --node-id");
            }
            if (logKey == null) {
                throw new ParameterException(spec.commandLine(), "--cluster needs --log-key (the same key on every node)");
            }
            clusterConfig = Optional.of(new ClusterConfig(
                    nodeId,
                    ClusterConfig.parsePeers(cluster),
                    data.toAbsolutePath().resolve("raft"),
                    Duration.ofMillis(electionTimeoutMillis)));
        }
        IndelibleServer server = IndelibleServer.start(config, Optional.ofNullable(logKey), clusterConfig);
        if (server.keyCreated()) {
            System.out.println("Created the log signing key " + data.resolve("keys").resolve(LogKey.FILE_NAME) + " (keep it secret)");
        }
        System.out.println("Log public key: " + server.publicKey());
        System.out.println("Each log's verifier key is named after its origin, e.g. for a log \"audit\":");
        System.out.println("Verifier key: " + server.verifierKeyFor("audit"));
        server.verifierKeys().forEach((name, key) -> System.out.println("Verifier key of log " + name + ": " + key));
        System.out.println("Listening on http://" + address.host() + ":" + server.port());
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }
}
