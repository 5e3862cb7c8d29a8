package dev.indelible.cli;

import dev.indelible.formats.note.KeyText;
import dev.indelible.log.LogConfig;
import dev.indelible.log.envelope.EventLimits;
import dev.indelible.replication.ClusterConfig;
import dev.indelible.replication.PeerTls;
import dev.indelible.server.IndelibleServer;
import dev.indelible.server.LogKey;
import dev.indelible.server.ServerConfig;
import dev.indelible.server.auth.OidcConfig;
import dev.indelible.server.auth.Scope;
import dev.indelible.server.auth.SecurityConfig;
import dev.indelible.server.tls.TlsConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code indelible server}: runs a server (single node, or a cluster member) until interrupted.
 * Every option may also come from {@code --config FILE} (see {@link ConfigFile}); the command line
 * overrides the file.
 */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = "Run an indelible server: a single node, or with --cluster a member of a Raft cluster.")
final class ServerCommand implements Callable<Integer> {
    static final String CONFIG_OPTION = "--config";

    @Spec
    CommandSpec spec;

    @Option(
            names = CONFIG_OPTION,
            paramLabel = "FILE",
            description =
                    "Read settings from FILE: one 'key = value' per line, '#' comments, keys named like the long options "
                            + "without the dashes (node-id = n1; a repeatable option on several lines). An unknown key is an error; "
                            + "an option on the command line overrides the file; relative paths in FILE resolve against FILE's directory.")
    Path config;

    @Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            description = "Address to serve HTTP on (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:8080")
    String listen;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Data directory (default: ${DEFAULT-VALUE}).",
            defaultValue = "data")
    Path data;

    @Option(
            names = "--origin-host",
            paramLabel = "HOST",
            description =
                    "Host part of new logs' checkpoint origins, <host>/<log> (default: the --listen address; its host alone when the port is 0; in a cluster, the --log-key name). Fixed for each log when it is created.")
    String originHost;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "MILLIS",
            description = "Shortest time between checkpoints, ms (default: ${DEFAULT-VALUE}).",
            defaultValue = "1000")
    long checkpointIntervalMillis;

    @Option(
            names = "--event-max-bytes",
            paramLabel = "BYTES",
            description = "Largest accepted event (default: ${DEFAULT-VALUE}).",
            defaultValue = "1048576")
    int eventMaxBytes;

    @Option(
            names = "--body-max-bytes",
            paramLabel = "BYTES",
            description = "Largest accepted request body (default: ${DEFAULT-VALUE}).",
            defaultValue = "33554432")
    long bodyMaxBytes;

    @Option(names = "--node-id", paramLabel = "ID", description = "This node's id in --cluster.")
    String nodeId;

    @Option(
            names = "--cluster",
            paramLabel = "ID=HOST:PORT,...",
            description =
                    "Every cluster member's Raft address, e.g. n1=127.0.0.1:9001,n2=127.0.0.1:9002,n3=127.0.0.1:9003. "
                            + "Without it the server runs as a single node.")
    String cluster;

    @Option(
            names = "--join",
            paramLabel = "BOOL",
            arity = "0..1",
            description =
                    "Join a running cluster: on first start (no Raft storage in --data yet) start outside the Raft "
                            + "configuration and wait for 'indelible cluster add-node' on a member; then catch up from the leader. "
                            + "--cluster lists the current members and this node. --join=false overrides join = true in --config.")
    boolean join;

    @Option(
            names = "--log-key",
            paramLabel = "FILE",
            description =
                    "The log signing key (from 'indelible keys generate'); every cluster member needs the same one. "
                            + "Default: <data>/keys/" + LogKey.FILE_NAME + ", created on a single node's first start.")
    Path logKey;

    @Option(
            names = "--election-timeout",
            paramLabel = "MILLIS",
            description =
                    "Raft election timeout lower bound, ms; the upper bound is twice it (default: ${DEFAULT-VALUE}).",
            defaultValue = "200")
    long electionTimeoutMillis;

    @Option(
            names = "--auth",
            paramLabel = "MODE",
            defaultValue = "required",
            description =
                    "required (default): tokens, JWTs or client certificates with scopes; off: no access control, "
                            + "no _access log (development only; refused on a non-loopback --listen).")
    String auth;

    @Option(
            names = "--public-reads",
            paramLabel = "BOOL",
            arity = "1",
            defaultValue = "true",
            description =
                    "Serve checkpoints, hash tiles, proofs and log info without a credential (default: ${DEFAULT-VALUE}).")
    boolean publicReads;

    @Option(
            names = "--rate-limit",
            paramLabel = "PER_SECOND",
            defaultValue = "2000",
            description = "Requests per second per principal, 0 for no limit (default: ${DEFAULT-VALUE}).")
    double rateLimit;

    @Option(
            names = "--rate-burst",
            paramLabel = "REQUESTS",
            defaultValue = "4000",
            description = "Burst allowance per principal (default: ${DEFAULT-VALUE}).")
    int rateBurst;

    @Option(
            names = "--request-header-max-bytes",
            paramLabel = "BYTES",
            defaultValue = "16384",
            description = "Largest request line plus headers (431 beyond; default: ${DEFAULT-VALUE}).")
    int requestHeaderMaxBytes;

    @Option(
            names = "--peer-tls-cert",
            paramLabel = "FILE",
            description = "Mutual TLS for Raft traffic between cluster nodes: this node's certificate chain (PEM), "
                    + "separate from --tls-cert; it must carry the SAN URI indelible-node:<node-id>. Needs "
                    + "--peer-tls-key and --peer-tls-ca; every member must use peer TLS.")
    Path peerTlsCert;

    @Option(
            names = "--peer-tls-key",
            paramLabel = "FILE",
            description = "The private key of --peer-tls-cert (unencrypted PKCS#8 PEM).")
    Path peerTlsKey;

    @Option(
            names = "--peer-tls-ca",
            paramLabel = "FILE",
            description = "The CA certificates (PEM) that sign every cluster node's --peer-tls-cert; only peers with "
                    + "a certificate they sign that names a cluster node id (SAN URI indelible-node:<id>) may connect, "
                    + "and this node connects only to such peers.")
    Path peerTlsCa;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve HTTPS with this certificate chain (PEM).")
    Path tlsCert;

    @Option(
            names = "--tls-key",
            paramLabel = "PEM",
            description = "The private key of --tls-cert (unencrypted PKCS#8 PEM).")
    Path tlsKey;

    @Option(
            names = "--client-ca",
            paramLabel = "PEM",
            description = "Ask clients for certificates signed by these CAs (mTLS).")
    Path clientCa;

    @Option(
            names = "--client-auth",
            paramLabel = "MODE",
            defaultValue = "required",
            description =
                    "With --client-ca: required (refuse clients without a certificate) or optional (default: ${DEFAULT-VALUE}).")
    String clientAuth;

    @Option(
            names = "--client-cert-scope",
            paramLabel = "ID=SCOPE",
            description =
                    "Grant SCOPE to client certificates with ID: dn:<RFC 2253 subject>, dns:<name>, uri:<uri>, email:<addr>, "
                            + "ip:<addr>; repeatable. Example: dns:ingest-1.example.com=append:k8s")
    List<String> clientCertScopes = new ArrayList<>();

    @Option(names = "--oidc-issuer", paramLabel = "URL", description = "Accept JWTs from this OIDC issuer (exact iss).")
    String oidcIssuer;

    @Option(names = "--oidc-audience", paramLabel = "AUD", description = "The aud JWTs must carry.")
    String oidcAudience;

    @Option(names = "--oidc-jwks", paramLabel = "URI", description = "The issuer's JWKS: https://… or file:/….")
    URI oidcJwks;

    @Option(
            names = "--oidc-scope-claim",
            paramLabel = "CLAIM",
            defaultValue = OidcConfig.DEFAULT_SCOPE_CLAIM,
            description = "The claim mapped to scopes (default: ${DEFAULT-VALUE}).")
    String oidcScopeClaim;

    @Option(
            names = "--oidc-map",
            paramLabel = "VALUE=SCOPE",
            description =
                    "Grant SCOPE to JWTs whose --oidc-scope-claim holds VALUE; repeatable. Example: audit-readers=read:*")
    List<String> oidcMap = new ArrayList<>();

    @Option(
            names = "--oidc-algorithms",
            paramLabel = "ALG",
            split = ",",
            defaultValue = "RS256,ES256",
            description = "Accepted JWS algorithms, asymmetric only (default: ${DEFAULT-VALUE}).")
    List<String> oidcAlgorithms;

    SecurityConfig security() {
        SecurityConfig.Mode mode = switch (auth) {
            case "required" -> SecurityConfig.Mode.REQUIRED;
            case "off" -> SecurityConfig.Mode.OFF;
            default -> throw new IllegalArgumentException("--auth must be required or off, got " + auth);
        };
        SecurityConfig security = new SecurityConfig(
                mode,
                publicReads,
                Optional.empty(),
                scopeMap(clientCertScopes),
                new SecurityConfig.RateLimit(
                        rateLimit, rateBurst, SecurityConfig.RateLimit.DEFAULT.failuresPerSecond()),
                requestHeaderMaxBytes);
        if (oidcIssuer != null || oidcAudience != null || oidcJwks != null) {
            security = security.withOidc(new OidcConfig(
                    oidcIssuer, oidcAudience, oidcJwks, oidcScopeClaim, scopeMap(oidcMap), oidcAlgorithms));
        }
        return security;
    }

    Optional<TlsConfig> tls() {
        if (tlsCert == null && tlsKey == null) {
            if (clientCa != null) {
                throw new IllegalArgumentException("--client-ca needs --tls-cert and --tls-key");
            }
            return Optional.empty();
        }
        if (tlsCert == null || tlsKey == null) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (!clientAuth.equals("required") && !clientAuth.equals("optional")) {
            throw new IllegalArgumentException("--client-auth must be required or optional, got " + clientAuth);
        }
        return Optional.of(
                new TlsConfig(tlsCert, tlsKey, Optional.ofNullable(clientCa), clientAuth.equals("required")));
    }

    /** The peer TLS options: all three or none, and only with --cluster. */
    Optional<PeerTls> peerTls() {
        if (peerTlsCert == null && peerTlsKey == null && peerTlsCa == null) {
            return Optional.empty();
        }
        if (peerTlsCert == null || peerTlsKey == null || peerTlsCa == null) {
            throw new IllegalArgumentException("--peer-tls-cert, --peer-tls-key and --peer-tls-ca go together");
        }
        if (cluster == null) {
            throw new IllegalArgumentException("--peer-tls-cert, --peer-tls-key and --peer-tls-ca need --cluster");
        }
        return Optional.of(new PeerTls(peerTlsCert, peerTlsKey, peerTlsCa));
    }

    /** Parses {@code KEY=SCOPE} pairs; the key may itself contain '=' (a DN), so split at the last one. */
    static Map<String, Set<Scope>> scopeMap(List<String> pairs) {
        Map<String, Set<Scope>> map = new HashMap<>();
        for (String pair : pairs) {
            int eq = pair.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("\"" + pair + "\" is not KEY=SCOPE");
            }
            map.computeIfAbsent(pair.substring(0, eq), k -> new HashSet<>()).add(Scope.parse(pair.substring(eq + 1)));
        }
        return map;
    }

    /** The listen address, without a port when the port is chosen at random (0): origins never change. */
    static String defaultOriginHost(HostPort address) {
        return address.port() == 0 ? address.host() : address.host() + ":" + address.port();
    }

    /**
     * Fills the options that the command line did not give from {@code --config}, if given. Call it
     * once, after parsing: {@link #call()} does.
     */
    void applyConfigFile() {
        if (config != null) {
            ConfigFile.apply(config, spec.commandLine(), new CommandLine(new ServerCommand()));
        }
    }

    @Override
    public Integer call() throws Exception {
        applyConfigFile();
        if (config != null) {
            System.out.println(
                    "Settings from " + config.toAbsolutePath().normalize() + " (the command line overrides them)");
        }
        HostPort address = HostPort.parse(listen);
        if (cluster != null && originHost == null && logKey != null) {
            // Every member must sign the same checkpoint text: the origin cannot default to a per-node address.
            originHost =
                    KeyText.parseSignerKey(Files.readString(logKey).strip()).name();
        }
        LogConfig logConfig = LogConfig.defaults().withCheckpointInterval(Duration.ofMillis(checkpointIntervalMillis));
        EventLimits limits = new EventLimits(eventMaxBytes, EventLimits.DEFAULTS.batchMaxEvents());
        ServerConfig config = new ServerConfig(
                address.host(),
                address.port(),
                data.toAbsolutePath(),
                originHost != null ? originHost : defaultOriginHost(address),
                bodyMaxBytes,
                logConfig,
                limits,
                security(),
                tls());
        Optional<ClusterConfig> clusterConfig = Optional.empty();
        peerTls();
        if (cluster != null) {
            if (nodeId == null) {
                throw new ParameterException(spec.commandLine(), "--cluster needs --node-id");
            }
            if (logKey == null) {
                throw new ParameterException(
                        spec.commandLine(), "--cluster needs --log-key (the same key on every node)");
            }
            ClusterConfig parsed = new ClusterConfig(
                    nodeId,
                    ClusterConfig.parsePeers(cluster),
                    data.toAbsolutePath().resolve("raft"),
                    Duration.ofMillis(electionTimeoutMillis));
            ClusterConfig member = join ? parsed.joining() : parsed;
            Optional<PeerTls> peerTls = peerTls();
            clusterConfig = Optional.of(peerTls.isPresent() ? member.withPeerTls(peerTls.get()) : member);
        } else if (join) {
            throw new ParameterException(spec.commandLine(), "--join needs --cluster");
        }
        IndelibleServer server = IndelibleServer.start(config, Optional.ofNullable(logKey), clusterConfig);
        if (server.keyCreated()) {
            System.out.println("Created the log signing key "
                    + data.resolve("keys").resolve(LogKey.FILE_NAME) + " (keep it secret)");
        }
        System.out.println("Log public key: " + server.publicKey());
        System.out.println("Each log's verifier key is named after its origin, e.g. for a log \"audit\":");
        System.out.println("Verifier key: " + server.verifierKeyFor("audit"));
        server.verifierKeys().forEach((name, key) -> System.out.println("Verifier key of log " + name + ": " + key));
        String base = server.scheme() + "://" + address.host() + ":" + server.port();
        server.takeBootstrapAdminToken().ifPresent(token -> {
            System.out.println("Created the bootstrap admin token; it is shown only now and stored only as a hash:");
            System.out.println("Admin token: " + token);
            System.out.println("Try: curl -H 'Authorization: Bearer " + token
                    + "' -H 'Content-Type: application/json' -d '{\"hello\":\"world\"}' " + base
                    + "/v1/logs/audit/entries");
            if (cluster == null) {
                System.out.println("Create narrower tokens with: indelible token create --data " + data
                        + " --name ci-writer --scope append:audit");
            } else {
                System.out.println(
                        "This token is this node's own. Tokens every node accepts are made through the admin API"
                                + " (indelible token create --data affects only this node):");
                System.out.println("  curl -H 'Authorization: Bearer " + token + "' -H 'Content-Type: application/json'"
                        + " -d '{\"name\":\"ci-writer\",\"scopes\":[\"append:audit\"]}' " + base + "/v1/admin/tokens");
            }
        });
        if (config.security().mode() == SecurityConfig.Mode.OFF) {
            System.out.println(
                    "WARNING: access control is off (--auth off): anyone who can connect can append and read.");
        }
        System.out.println("Listening on " + base);
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "shutdown"));
        stopped.await();
        return 0;
    }
}
