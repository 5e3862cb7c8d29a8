package dev.indelible.server;

import dev.indelible.log.LogConfig;
import dev.indelible.log.envelope.EventLimits;
import java.nio.file.Path;

/**
 * Everything a single-node server needs to start.
 *
 * @param listenHost the address to bind (127.0.0.1 by default)
 * @param listenPort the port to bind; 0 picks a free one
 * @param dataDirectory where logs and keys live
 * @param originHost the host part of new logs' origins ({@code <originHost>/<log>}); fixed per log
 *     at creation
 * @param bodyMaxBytes the largest request body accepted
 * @param log the append pipeline's tunables
 * @param limits event size and batch limits
 */
public record ServerConfig(
        String listenHost,
        int listenPort,
        Path dataDirectory,
        String originHost,
        long bodyMaxBytes,
        LogConfig log,
        EventLimits limits) {
    public static final String DEFAULT_LISTEN_HOST = "127.0.0.1";
    public static final int DEFAULT_LISTEN_PORT = 8080;
    public static final long DEFAULT_BODY_MAX_BYTES = 32L << 20;

    /** Checks bounds. */
    public ServerConfig {
        if (listenPort < 0 || listenPort > 65_535) {
            throw new IllegalArgumentException("listen port " + listenPort + " outside 0..65535");
        }
        if (bodyMaxBytes < 1024 || bodyMaxBytes > (1L << 30)) {
            throw new IllegalArgumentException("bodyMaxBytes " + bodyMaxBytes + " outside [1 KiB, 1 GiB]");
        }
        if (originHost == null || originHost.isBlank() || originHost.contains("\n")) {
            throw new IllegalArgumentException("origin host must be a non-empty single line");
        }
    }

    /** Defaults for a server on {@code dataDirectory}. */
    public static ServerConfig defaults(Path dataDirectory) {
        return new ServerConfig(
                DEFAULT_LISTEN_HOST,
                DEFAULT_LISTEN_PORT,
                dataDirectory,
                DEFAULT_LISTEN_HOST + ":" + DEFAULT_LISTEN_PORT,
                DEFAULT_BODY_MAX_BYTES,
                LogConfig.defaults(),
                EventLimits.DEFAULTS);
    }
}
