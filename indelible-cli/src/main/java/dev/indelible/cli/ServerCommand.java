package dev.indelible.cli;

import dev.indelible.log.LogConfig;
import dev.indelible.log.envelope.EventLimits;
import dev.indelible.server.IndelibleServer;
import dev.indelible.server.LogKey;
import dev.indelible.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code indelible server}: runs a single-node server until interrupted. */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Run a single-node indelible server.")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to serve HTTP on (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:8080")
    String listen;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: ${DEFAULT-VALUE}).", defaultValue = "data")
    Path data;

    @Option(names = "--origin-host", paramLabel = "HOST", description = "Host part of new logs' checkpoint origins, <host>/<log> (default: the --listen address; its host alone when the port is 0). Fixed for each log when it is created.")
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

    /** The listen address, without a port when the port is chosen at random (0): origins never change. */
    static String defaultOriginHost(HostPort address) {
        return address.port() == 0 ? address.host() : address.host() + ":" + address.port();
    }

    @Override
    public Integer call() throws Exception {
        HostPort address = HostPort.parse(listen);
        LogConfig logConfig = LogConfig.defaults().withCheckpointInterval(Duration.ofMillis(checkpointIntervalMillis));
        EventLimits limits = new EventLimits(eventMaxBytes, EventLimits.DEFAULTS.batchMaxEvents());
        ServerConfig config = new ServerConfig(
                address.host(),
                address.port(),
                data.toAbsolutePath(),
                originHost != null ? originHost : defaultOriginHost(address),
                bodyMaxBytes,
                logConfig,
                limits);
        IndelibleServer server = IndelibleServer.start(config);
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
