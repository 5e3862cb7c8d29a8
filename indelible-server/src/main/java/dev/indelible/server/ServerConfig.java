package dev.indelible.server;

import dev.indelible.log.LogConfig;
import dev.indelible.log.envelope.EventLimits;
import dev.indelible.server.auth.SecurityConfig;
import dev.indelible.server.tls.TlsConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;

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
 * @param security authentication, authorization, rate and header bounds (authentication required
 *     by default)
 * @param tls HTTPS (and mTLS) for the API, if configured; plain HTTP otherwise
 */
public record ServerConfig(
        String listenHost,
        int listenPort,
        Path dataDirectory,
        String originHost,
        long bodyMaxBytes,
        LogConfig log,
        EventLimits limits,
        SecurityConfig security,
        Optional<TlsConfig> tls) {
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
        if (security.mode() == SecurityConfig.Mode.OFF && !isLoopback(listenHost)) {
            throw new IllegalArgumentException(
                    "access control can be off only on a loopback address, not " + listenHost + "; use tokens");
        }
    }

    /** A configuration with the default security (authentication required) and plain HTTP. */
    public ServerConfig(
            String listenHost,
            int listenPort,
            Path dataDirectory,
            String originHost,
            long bodyMaxBytes,
            LogConfig log,
            EventLimits limits) {
        this(
                listenHost,
                listenPort,
                dataDirectory,
                originHost,
                bodyMaxBytes,
                log,
                limits,
                SecurityConfig.defaults(),
                Optional.empty());
    }

    /** A copy with other security settings. */
    public ServerConfig withSecurity(SecurityConfig newSecurity) {
        return new ServerConfig(
                listenHost, listenPort, dataDirectory, originHost, bodyMaxBytes, log, limits, newSecurity, tls);
    }

    /** A copy serving HTTPS with {@code newTls}. */
    public ServerConfig withTls(TlsConfig newTls) {
        return new ServerConfig(
                listenHost,
                listenPort,
                dataDirectory,
                originHost,
                bodyMaxBytes,
                log,
                limits,
                security,
                Optional.of(newTls));
    }

    /** A copy listening on {@code newPort} (0 picks a free one). */
    public ServerConfig withListenPort(int newPort) {
        return new ServerConfig(
                listenHost, newPort, dataDirectory, originHost, bodyMaxBytes, log, limits, security, tls);
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
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
