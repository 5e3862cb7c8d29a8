package dev.indelible.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.log.AppendService;
import dev.indelible.log.AuditLog;
import dev.indelible.log.AuditLogs;
import dev.indelible.log.ErrorCode;
import dev.indelible.replication.ClusterConfig;
import dev.indelible.replication.RaftNode;
import dev.indelible.server.auth.AccessControl;
import dev.indelible.server.auth.ClusterTokens;
import dev.indelible.server.tls.TlsConnectors;
import dev.indelible.storage.io.FileIO;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of a single-node server: opens the signing key and every log under the data
 * directory (recovering each), then serves the HTTP API on Jetty with virtual threads, so that
 * handlers may block on durability without tying up a small pool.
 */
public final class IndelibleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndelibleServer.class);

    private final ServerConfig config;
    private final LogKey key;
    private final AuditLogs logs;
    private final AccessControl access;
    /** This node's Raft membership; null for a single node. */
    private final RaftNode node;

    private final Javalin app;
    private final AtomicBoolean ready = new AtomicBoolean();

    private IndelibleServer(
            ServerConfig config,
            LogKey key,
            AuditLogs logs,
            AppendService appends,
            AccessControl access,
            RaftNode node) {
        this.config = config;
        this.key = key;
        this.logs = logs;
        this.access = access;
        this.node = node;
        ObjectMapper json = new ObjectMapper();
        Receipts receipts = new Receipts(key);
        List<String> registered = new ArrayList<>();
        LogRoutes routes = new LogRoutes(logs, appends, receipts, json, config.bodyMaxBytes());
        this.app = Javalin.create(cfg -> {
            cfg.concurrency.useVirtualThreads = true;
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.host = config.listenHost();
            cfg.jetty.port = config.listenPort();
            cfg.http.maxRequestSize = config.bodyMaxBytes();
            cfg.jsonMapper(new JavalinJackson(json, true));
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler(json)));
            cfg.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setRequestHeaderSize(config.security().requestHeaderMaxBytes());
            });
            config.tls()
                    .ifPresent(tls -> cfg.jetty.addConnector((server, http) ->
                            TlsConnectors.https(server, http, tls, config.listenHost(), config.listenPort())));
            cfg.events.handlerAdded(h -> {
                if (h.getHttpMethod().isHttpMethod()) {
                    registered.add(h.getHttpMethod().name() + " " + h.getPath());
                }
            });
            access.install(cfg.routes);
            routes.register(cfg.routes);
            cfg.routes.get("/v1/cluster", ctx -> ClusterRoutes.status(ctx, json, node));
            cfg.routes.post(ClusterRoutes.NODES, ctx -> ClusterRoutes.addNode(ctx, json, node));
            cfg.routes.delete(ClusterRoutes.NODE, ctx -> ClusterRoutes.removeNode(ctx, json, node));
            cfg.routes.get("/healthz", ctx -> health(ctx, json));
            cfg.routes.get("/readyz", ctx -> readiness(ctx, json));
            cfg.routes.exception(Exception.class, (e, ctx) -> Problems.map(e, ctx, json));
            cfg.routes.error(404, ctx -> {
                if (ctx.attribute("problem") == null) {
                    Problems.write(ctx, json, ErrorCode.NOT_FOUND, "no route for " + ctx.method() + " " + ctx.path());
                }
            });
            cfg.routes.error(405, ctx -> {
                if (ctx.attribute("problem") == null) {
                    Problems.write(
                            ctx, json, ErrorCode.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed on " + ctx.path());
                }
            });
        });
        AccessControl.requireRules(registered);
    }

    /**
     * Opens the data directory (creating the signing key on first start) and starts serving.
     *
     * @throws IOException if the data directory cannot be opened
     */
    public static IndelibleServer start(ServerConfig config) throws IOException {
        return start(config, Optional.empty(), Optional.empty());
    }

    /**
     * Starts a server: single node when {@code cluster} is empty, else a member of a Raft cluster
     * (whose members MUST share the log key, so that they sign identical checkpoints).
     *
     * @param logKeyFile the log signing key to load; when empty, {@code <data>/keys} (created on
     *     first start of a single node)
     */
    public static IndelibleServer start(ServerConfig config, Optional<Path> logKeyFile, Optional<ClusterConfig> cluster)
            throws IOException {
        FileIO io = FileIO.posix();
        LogKey key = logKeyFile.isPresent()
                ? LogKey.load(logKeyFile.get())
                : LogKey.loadOrCreate(config.dataDirectory().resolve("keys"), config.originHost(), io);
        AuditLogs.Settings settings = new AuditLogs.Settings(
                config.dataDirectory(), config.originHost(), key::signer, config.log(), Clock.systemUTC());
        // In a cluster the Raft apply thread writes replicated tokens to the token file from the start.
        ClusterTokens tokens =
                cluster.isPresent() ? ClusterTokens.open(config.dataDirectory(), Clock.systemUTC()) : null;
        RaftNode node = cluster.isPresent() ? RaftNode.start(cluster.get(), settings, io, tokens) : null;
        AuditLogs logs = node != null ? node.logs() : AuditLogs.open(settings, io);
        IndelibleServer server;
        AccessControl access = null;
        try {
            AppendService appends = new AppendService(logs, config.limits(), Clock.systemUTC());
            if (node != null) {
                tokens.proposeThrough(node);
                access =
                        AccessControl.create(config.security(), tokens, appends, new ObjectMapper(), Clock.systemUTC());
            } else {
                access = AccessControl.create(
                        config.security(), config.dataDirectory(), appends, new ObjectMapper(), Clock.systemUTC());
            }
            server = new IndelibleServer(config, key, logs, appends, access, node);
            server.app.start();
        } catch (IOException | RuntimeException e) {
            if (access != null) {
                access.close();
            }
            closeLogs(logs, node);
            throw e;
        }
        server.ready.set(true);
        LOG.info(
                "indelible listening on {}://{}:{} (access control {})",
                server.scheme(),
                config.listenHost(),
                server.port(),
                config.security().mode());
        return server;
    }

    /** The bound port (useful when the configured port was 0). */
    public int port() {
        return app.port();
    }

    /** {@code https} when TLS is configured, else {@code http}. */
    public String scheme() {
        return config.tls().isPresent() ? "https" : "http";
    }

    /**
     * The admin token created on this first start, once (empty afterwards, and on later starts):
     * show it to the operator; only its hash is stored.
     */
    public Optional<String> takeBootstrapAdminToken() {
        return access.takeBootstrapAdminToken();
    }

    /** The log signing key's public half. */
    public String publicKey() {
        return key.publicKey();
    }

    /** The verifier key (C2SP note format) of every existing log, by name. */
    public java.util.Map<String, String> verifierKeys() {
        java.util.Map<String, String> keys = new java.util.TreeMap<>();
        for (AuditLog log : logs.all()) {
            keys.put(log.name().value(), key.verifierKey(log.origin()));
        }
        return keys;
    }

    /** The verifier key a log called {@code name} has or will have. */
    public String verifierKeyFor(String name) {
        return logs.find(new dev.indelible.log.LogName(name))
                .map(log -> key.verifierKey(log.origin()))
                .orElse(key.verifierKey(config.originHost() + "/" + name));
    }

    /** Whether the signing key was generated by this start. */
    public boolean keyCreated() {
        return key.created();
    }

    private void health(io.javalin.http.Context ctx, ObjectMapper json) {
        ObjectNode body = json.createObjectNode();
        ObjectNode failed = json.createObjectNode();
        for (AuditLog log : logs.all()) {
            log.failure().ifPresent(reason -> failed.put(log.name().value(), reason));
        }
        if (node != null) {
            node.failure().ifPresent(reason -> body.put("nodeFailure", reason));
        }
        boolean up = failed.isEmpty() && !body.has("nodeFailure");
        body.put("status", up ? "up" : "down");
        if (!failed.isEmpty()) {
            body.set("failedLogs", failed);
        }
        ctx.status(up ? 200 : 503).json(body);
    }

    /**
     * {@code /readyz}: 200 while this server takes appends and serves current reads, else 503 with
     * why — {@code starting} (or stopping), {@code failed} (a log or the Raft node stopped), or, for
     * a cluster node, {@code not-current}: it has not applied everything the cluster committed up to
     * a moment less than {@link RaftNode#TOKEN_VOUCH_WINDOW} ago (catching up after a restart or an
     * install, no leader, the minority side of a partition; {@link RaftNode#isCurrent}).
     */
    private void readiness(io.javalin.http.Context ctx, ObjectMapper json) {
        boolean anyFailed = logs.all().stream().anyMatch(log -> log.failure().isPresent())
                || (node != null && node.failure().isPresent());
        String reason = !ready.get()
                ? "starting"
                : anyFailed ? "failed" : node != null && !node.isCurrent() ? "not-current" : null;
        ObjectNode body = json.createObjectNode();
        body.put("status", reason == null ? "ready" : "not-ready");
        if (reason != null) {
            body.put("reason", reason);
        }
        ctx.status(reason == null ? 200 : 503).json(body);
    }

    /**
     * Hands a cluster node's leadership to a follower (writes pause for one election round trip, not
     * an election timeout; requests that arrive meanwhile are forwarded), stops accepting requests,
     * then sequences what is queued and closes every log.
     */
    @Override
    public void close() {
        ready.set(false);
        if (node != null) {
            node.handOffLeadership();
        }
        app.stop();
        access.close();
        closeLogs(logs, node);
    }

    /** Closes the logs, through the Raft node in a cluster (its Raft server stops first). */
    private static void closeLogs(AuditLogs logs, RaftNode node) {
        if (node != null) {
            node.close();
        } else {
            logs.close();
        }
    }
}
