package dev.indelible.server.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.log.AppendService;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import dev.indelible.log.LogName;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Access control for the HTTP API: one {@code beforeMatched} handler authenticates the request
 * ({@link Authenticator}), bounds its rate ({@link RateLimiter}), looks its route up in {@link
 * RouteRules} and checks the principal's {@link Scope}s; one {@code afterMatched} handler records
 * reads, exports and admin actions in the system log {@code _access} ({@link AccessRecorder}).
 *
 * <p>Answers: 401 {@code unauthorized} (with {@code WWW-Authenticate: Bearer}) for a missing,
 * malformed, unknown, revoked or expired credential — the same answer for each, so that it never
 * tells whether a token exists; 403 {@code forbidden} for a valid credential without the scope; 429
 * {@code rate-limited} with {@code Retry-After}. Handlers get the principal with {@link
 * #principal}.
 */
public final class AccessControl implements AutoCloseable {
    /** The name of the token created on the first start with authentication required. */
    public static final String BOOTSTRAP_TOKEN_NAME = "admin";

    private static final String PRINCIPAL = "indelible.principal";
    private static final String RECORD = "indelible.record";
    private static final String RESULT_COUNT = "indelible.resultCount";
    private static final String DETAIL = "indelible.detail";
    private static final String PUBLIC_READS = "indelible.publicReads";
    private static final int QUERY_MAX_CHARS = 1024;
    private static final int PATH_MAX_CHARS = 512;

    private final SecurityConfig config;
    private final TokenAdministration administration;
    private final Authenticator authenticator;
    private final RateLimiter requests;
    private final RateLimiter failures;
    private final Optional<AccessRecorder> recorder;
    private final ObjectMapper json;
    private final Clock clock;
    private final AtomicReference<String> bootstrapToken = new AtomicReference<>();

    /** What a route needs of a principal for one request. */
    private enum Need {
        NOTHING,
        AUTHENTICATED,
        READ,
        APPEND,
        ADMIN
    }

    private AccessControl(
            SecurityConfig config,
            TokenStore tokens,
            BooleanSupplier tokensVouched,
            TokenAdministration administration,
            AppendService appends,
            ObjectMapper json,
            Clock clock)
            throws IOException {
        this.config = config;
        this.administration = administration;
        Optional<JwtAuthenticator> jwt = config.oidc().isPresent()
                ? Optional.of(new JwtAuthenticator(config.oidc().get()))
                : Optional.empty();
        this.authenticator = new Authenticator(tokens, tokensVouched, jwt, config.certificateScopes());
        SecurityConfig.RateLimit limit = config.rateLimit();
        this.requests = new RateLimiter(limit.requestsPerSecond(), limit.burst(), System::nanoTime);
        this.failures = new RateLimiter(
                limit.failuresPerSecond(), (int) Math.max(1, 10 * limit.failuresPerSecond()), System::nanoTime);
        this.json = json;
        this.clock = clock;
        this.recorder = config.mode() == SecurityConfig.Mode.OFF
                ? Optional.empty()
                : Optional.of(new AccessRecorder(appends, this::newEvent));
    }

    /**
     * A single node: opens the token store of {@code dataDirectory}, creating the bootstrap admin
     * token on the first start with authentication required (see {@link #takeBootstrapAdminToken});
     * the admin API edits that store.
     */
    public static AccessControl create(
            SecurityConfig config, Path dataDirectory, AppendService appends, ObjectMapper json, Clock clock)
            throws IOException {
        TokenStore tokens = TokenStore.open(dataDirectory, clock);
        AccessControl control = new AccessControl(config, tokens, () -> true, tokens, appends, json, clock);
        if (config.mode() == SecurityConfig.Mode.REQUIRED && !tokens.exists()) {
            control.createBootstrapToken(tokens);
        }
        return control;
    }

    /**
     * A cluster node: authenticates against the node's token file (its own tokens and those the
     * cluster replicated), and the admin API creates and revokes through the Raft log. The bootstrap
     * admin token is made, as on a single node, on the node's first start — judged by whether the
     * token file existed before the Raft node could write to it — and stays this node's own. A
     * token counts only while the node vouches for its tokens ({@link ClusterTokens#vouches}).
     */
    public static AccessControl create(
            SecurityConfig config, ClusterTokens tokens, AppendService appends, ObjectMapper json, Clock clock)
            throws IOException {
        AccessControl control =
                new AccessControl(config, tokens.store(), tokens::vouches, tokens, appends, json, clock);
        if (config.mode() == SecurityConfig.Mode.REQUIRED && !tokens.fileExistedAtOpen()) {
            control.createBootstrapToken(tokens.store());
        }
        return control;
    }

    private void createBootstrapToken(TokenStore tokens) throws IOException {
        try {
            TokenStore.IssuedToken admin = tokens.create(BOOTSTRAP_TOKEN_NAME, Set.of(Scope.ADMIN), Optional.empty());
            bootstrapToken.set(admin.secret());
        } catch (IllegalArgumentException e) {
            // Only in a cluster: a replicated token took the name before this first start got here.
            org.slf4j.LoggerFactory.getLogger(AccessControl.class)
                    .warn("no bootstrap admin token made: {}; use an admin token of the cluster", e.getMessage());
        }
    }

    /**
     * The admin token created by this start, once: the second call returns empty. The caller shows
     * it to the operator and forgets it; only its hash is stored.
     */
    public Optional<String> takeBootstrapAdminToken() {
        return Optional.ofNullable(bootstrapToken.getAndSet(null));
    }

    /** Installs the before/after handlers and the admin API. */
    public void install(RoutesConfig routes) {
        routes.beforeMatched(this::before);
        routes.afterMatched(this::after);
        new AdminRoutes(administration, json).register(routes);
    }

    /**
     * Fails unless every route ({@code METHOD path-template}) has a rule in {@link RouteRules}.
     *
     * @throws IllegalStateException naming the routes without a rule
     */
    public static void requireRules(Collection<String> routes) {
        List<String> missing = new ArrayList<>();
        for (String route : routes) {
            int space = route.indexOf(' ');
            if (RouteRules.ruleOf(route.substring(0, space), route.substring(space + 1))
                    .isEmpty()) {
                missing.add(route);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("routes without an access rule in RouteRules: " + missing);
        }
    }

    /** The principal of a request that passed access control. */
    public static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw new IllegalStateException("no principal: the route " + ctx.path() + " bypassed access control");
        }
        return principal;
    }

    /** Notes how many results (entries) a read returned, for its {@code _access} record. */
    public static void resultCount(Context ctx, long count) {
        ctx.attribute(RESULT_COUNT, count);
    }

    /** Notes what an admin action did, for its {@code _access} record (never a secret). */
    static void detail(Context ctx, String detail) {
        ctx.attribute(DETAIL, detail);
    }

    /** Whether the request's principal may see that {@code log} exists (for listing logs). */
    public static boolean mayList(Context ctx, LogName log) {
        Boolean publicReads = ctx.attribute(PUBLIC_READS);
        return (Boolean.TRUE.equals(publicReads) && !log.isSystem())
                || principal(ctx).may(Scope.Kind.READ, log);
    }

    private void before(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        String method = endpoint.method.name();
        Rule rule = RouteRules.ruleOf(method, endpoint.path)
                .orElseThrow(() -> new IndelibleException(ErrorCode.FORBIDDEN, "no access rule for this route"));
        ctx.attribute(PUBLIC_READS, config.publicReads());
        if (config.mode() == SecurityConfig.Mode.OFF) {
            ctx.attribute(PRINCIPAL, Principal.UNCHECKED);
            return;
        }
        Authentication authentication = authenticator.authenticate(ctx.header("Authorization"), certificates(ctx));
        if (authentication.undecided()) {
            recorder.orElseThrow().recordFailure(event(ctx, "unauthenticated", rule, 503, authentication.reason()));
            throw new IndelibleException(
                    ErrorCode.TOKENS_NOT_CURRENT,
                    "this node cannot confirm right now that the token was not revoked (it is starting, catching"
                            + " up, or cut off from the cluster's majority); retry, or ask another node");
        }
        if (authentication.principal().isEmpty()) {
            throttle(failures, "address:" + ctx.ip(), ctx);
            recorder.orElseThrow().recordFailure(event(ctx, "unauthenticated", rule, 401, authentication.reason()));
            throw unauthorized(ctx);
        }
        Principal principal = authentication.principal().get();
        throttle(requests, principal.authenticated() ? principal.name() : "address:" + ctx.ip(), ctx);
        ctx.attribute(PRINCIPAL, principal);
        Need need = need(rule, ctx);
        if (need == Need.NOTHING) {
            return;
        }
        if (!allowed(principal, need, ctx.pathParamMap().get("log"))) {
            if (!principal.authenticated()) {
                recorder.orElseThrow().recordFailure(event(ctx, principal.name(), rule, 401, "no credential"));
                throw unauthorized(ctx);
            }
            recorder.orElseThrow().recordFailure(event(ctx, principal.name(), rule, 403, "lacks " + need));
            throw new IndelibleException(
                    ErrorCode.FORBIDDEN,
                    principal.name() + " may not do this: it needs "
                            + describe(need, ctx.pathParamMap().get("log")));
        }
        if (need != Need.APPEND) {
            if (!recorder.orElseThrow().hasRoom()) {
                throw new IndelibleException(ErrorCode.OVERLOADED, "the access log is backed up; retry");
            }
            ctx.attribute(RECORD, rule);
        }
    }

    private void after(Context ctx) {
        Rule rule = ctx.attribute(RECORD);
        if (rule != null && recorder.isPresent()) {
            Principal principal = ctx.attribute(PRINCIPAL);
            ObjectNode event = event(ctx, principal.name(), rule, ctx.status().getCode(), null);
            Long count = ctx.attribute(RESULT_COUNT);
            if (count != null) {
                event.put("resultCount", count);
            }
            String detail = ctx.attribute(DETAIL);
            if (detail != null) {
                event.put("detail", detail);
            }
            recorder.get().record(event);
        }
    }

    private Need need(Rule rule, Context ctx) {
        String log = ctx.pathParamMap().get("log");
        boolean system = log != null && log.startsWith("_");
        Need verify = system ? Need.ADMIN : config.publicReads() ? Need.NOTHING : Need.READ;
        return switch (rule) {
            case PUBLIC -> Need.NOTHING;
            case VERIFY -> verify;
            case LIST -> config.publicReads() ? Need.NOTHING : Need.AUTHENTICATED;
            case TILE ->
                ctx.pathParamMap().getOrDefault("path", "").startsWith("entries/")
                        ? (system ? Need.ADMIN : Need.READ)
                        : verify;
            case READ -> system ? Need.ADMIN : Need.READ;
            case APPEND -> Need.APPEND;
            case ADMIN -> Need.ADMIN;
        };
    }

    private static boolean allowed(Principal principal, Need need, String log) {
        LogName name = null;
        if (log != null) {
            try {
                name = new LogName(log);
            } catch (IndelibleException e) {
                // An invalid name matches no scope; only admin proceeds (and gets the 400).
            }
        }
        return switch (need) {
            case NOTHING -> true;
            case AUTHENTICATED -> principal.authenticated();
            case ADMIN -> principal.isAdmin();
            case READ -> name == null ? principal.isAdmin() : principal.may(Scope.Kind.READ, name);
            case APPEND -> name == null ? principal.isAdmin() : principal.may(Scope.Kind.APPEND, name);
        };
    }

    private static String describe(Need need, String log) {
        return switch (need) {
            case READ -> "read:" + log;
            case APPEND -> "append:" + log;
            case ADMIN -> "admin";
            default -> "a credential";
        };
    }

    private static void throttle(RateLimiter limiter, String key, Context ctx) {
        long waitSeconds = limiter.acquire(key);
        if (waitSeconds > 0) {
            ctx.header("Retry-After", Long.toString(waitSeconds));
            throw new IndelibleException(
                    ErrorCode.RATE_LIMITED, "too many requests; retry after " + waitSeconds + " s");
        }
    }

    private static IndelibleException unauthorized(Context ctx) {
        ctx.header("WWW-Authenticate", "Bearer realm=\"indelible\"");
        return new IndelibleException(ErrorCode.UNAUTHORIZED, "a valid credential is required");
    }

    private static X509Certificate[] certificates(Context ctx) {
        Object value = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate");
        return value instanceof X509Certificate[] certs ? certs : null;
    }

    private ObjectNode newEvent(String kind) {
        ObjectNode event = json.createObjectNode();
        event.put("kind", kind);
        event.put("time", clock.instant().toString());
        return event;
    }

    private ObjectNode event(Context ctx, String principal, Rule rule, int status, String reason) {
        ObjectNode event = newEvent(status == 401 || status == 403 ? "access-denied" : "access");
        event.put("principal", principal);
        event.put("action", action(rule, ctx));
        event.put("method", ctx.method().name());
        event.put("path", bounded(ctx.path(), PATH_MAX_CHARS));
        String log = ctx.pathParamMap().get("log");
        if (log != null) {
            event.put("log", bounded(log, 80));
        }
        String query = ctx.queryString();
        if (query != null) {
            event.put("query", bounded(redact(query), QUERY_MAX_CHARS));
        }
        event.put("status", status);
        event.put("address", ctx.ip());
        if (reason != null) {
            event.put("reason", bounded(reason, 300));
        }
        return event;
    }

    private static String action(Rule rule, Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (rule == Rule.READ && endpoint.path.endsWith("/entries")) {
            return "export";
        }
        return rule == Rule.TILE && ctx.pathParamMap().getOrDefault("path", "").startsWith("entries/")
                ? "read"
                : rule.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Removes anything that looks like a credential from a query string. */
    static String redact(String query) {
        return query.replaceAll("idl_[A-Za-z0-9_-]*", "idl_REDACTED")
                .replaceAll("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_.-]*", "JWT_REDACTED");
    }

    private static String bounded(String text, int maxChars) {
        return text.length() <= maxChars ? text : text.substring(0, maxChars) + "…";
    }

    /** Appends every queued access event. */
    @Override
    public void close() {
        recorder.ifPresent(AccessRecorder::close);
    }
}
