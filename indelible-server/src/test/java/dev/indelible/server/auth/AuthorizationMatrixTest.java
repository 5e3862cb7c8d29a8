package dev.indelible.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.indelible.server.IndelibleServer;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route × every kind of caller, against a real server: the expected status of each cell is
 * written down here. Fails when a route is added without a rule (the server refuses to start) or
 * with a rule but without a row here ({@link #everyRuledRouteHasARow}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixTest {
    /** The callers: how each authenticates. */
    enum Caller {
        NONE,
        MALFORMED,
        BAD_TOKEN,
        EXPIRED,
        REVOKED,
        APPEND_ONLY,
        READ_ONLY,
        READ_OTHER_LOG,
        ADMIN
    }

    /** What a route needs, for the expectation table (independent of the server's own table). */
    enum Kind {
        PUBLIC,
        VERIFY,
        LIST,
        READ,
        APPEND,
        ADMIN
    }

    /** One concrete request for a route template. */
    record Probe(String route, String method, String path, String body, Kind kind, int allowedStatus) {}

    private static final List<Probe> PROBES = List.of(
            new Probe("GET /healthz", "GET", "/healthz", null, Kind.PUBLIC, 200),
            new Probe("GET /readyz", "GET", "/readyz", null, Kind.PUBLIC, 200),
            new Probe("GET /v1/cluster", "GET", "/v1/cluster", null, Kind.PUBLIC, 200),
            // Single-node servers here: an admin is let through and told there is no cluster (400).
            new Probe(
                    "POST /v1/cluster/nodes",
                    "POST",
                    "/v1/cluster/nodes",
                    "{\"id\":\"n4\",\"address\":\"127.0.0.1:9004\"}",
                    Kind.ADMIN,
                    400),
            new Probe("DELETE /v1/cluster/nodes/{id}", "DELETE", "/v1/cluster/nodes/n3", null, Kind.ADMIN, 400),
            new Probe("GET /v1/logs", "GET", "/v1/logs", null, Kind.LIST, 200),
            new Probe("GET /v1/logs/{log}", "GET", "/v1/logs/audit", null, Kind.VERIFY, 200),
            new Probe("POST /v1/logs/{log}/entries", "POST", "/v1/logs/audit/entries", "{\"e\":1}", Kind.APPEND, 200),
            new Probe(
                    "GET /v1/logs/{log}/entries", "GET", "/v1/logs/audit/entries?start=0&end=1", null, Kind.READ, 200),
            new Probe(
                    "GET /v1/logs/{log}/entries/{leafIndex}", "GET", "/v1/logs/audit/entries/0", null, Kind.READ, 200),
            new Probe(
                    "GET /v1/logs/{log}/entries/{leafIndex}/proof",
                    "GET",
                    "/v1/logs/audit/entries/0/proof",
                    null,
                    Kind.VERIFY,
                    200),
            new Probe(
                    "GET /v1/logs/{log}/bodies/{digest}",
                    "GET",
                    "/v1/logs/audit/bodies/" + "ab".repeat(32),
                    null,
                    Kind.READ,
                    404),
            new Probe("GET /v1/logs/{log}/checkpoint", "GET", "/v1/logs/audit/checkpoint", null, Kind.VERIFY, 200),
            new Probe(
                    "GET /v1/logs/{log}/checkpoints/{treeSize}",
                    "GET",
                    "/v1/logs/audit/checkpoints/1",
                    null,
                    Kind.VERIFY,
                    200),
            new Probe(
                    "GET /v1/logs/{log}/proof/inclusion",
                    "GET",
                    "/v1/logs/audit/proof/inclusion?leafIndex=0&treeSize=1",
                    null,
                    Kind.VERIFY,
                    200),
            new Probe(
                    "GET /v1/logs/{log}/proof/consistency",
                    "GET",
                    "/v1/logs/audit/proof/consistency?from=1&to=1",
                    null,
                    Kind.VERIFY,
                    200),
            new Probe(
                    "GET /v1/logs/{log}/tlog/checkpoint",
                    "GET",
                    "/v1/logs/audit/tlog/checkpoint",
                    null,
                    Kind.VERIFY,
                    200),
            new Probe(
                    "GET /v1/logs/{log}/tlog/tile/<path>",
                    "GET",
                    "/v1/logs/audit/tlog/tile/0/000.p/1",
                    null,
                    Kind.VERIFY,
                    200),
            new Probe(
                    "GET /v1/logs/{log}/tlog/tile/<path>",
                    "GET",
                    "/v1/logs/audit/tlog/tile/entries/000.p/1",
                    null,
                    Kind.READ,
                    200),
            new Probe("PUT /v1/logs/{log}/entries", "PUT", "/v1/logs/audit/entries", "{}", Kind.PUBLIC, 405),
            new Probe("PATCH /v1/logs/{log}/entries", "PATCH", "/v1/logs/audit/entries", "{}", Kind.PUBLIC, 405),
            new Probe("DELETE /v1/logs/{log}/entries", "DELETE", "/v1/logs/audit/entries", null, Kind.PUBLIC, 405),
            new Probe(
                    "PUT /v1/logs/{log}/entries/{leafIndex}",
                    "PUT",
                    "/v1/logs/audit/entries/0",
                    "{}",
                    Kind.PUBLIC,
                    405),
            new Probe(
                    "PATCH /v1/logs/{log}/entries/{leafIndex}",
                    "PATCH",
                    "/v1/logs/audit/entries/0",
                    "{}",
                    Kind.PUBLIC,
                    405),
            new Probe(
                    "DELETE /v1/logs/{log}/entries/{leafIndex}",
                    "DELETE",
                    "/v1/logs/audit/entries/0",
                    null,
                    Kind.PUBLIC,
                    405),
            new Probe("DELETE /v1/logs/{log}", "DELETE", "/v1/logs/audit", null, Kind.PUBLIC, 405),
            new Probe("POST /v1/admin/tokens", "POST", "/v1/admin/tokens", null, Kind.ADMIN, 201),
            new Probe("GET /v1/admin/tokens", "GET", "/v1/admin/tokens", null, Kind.ADMIN, 200),
            new Probe(
                    "DELETE /v1/admin/tokens/{name}",
                    "DELETE",
                    "/v1/admin/tokens/no-such-token",
                    null,
                    Kind.ADMIN,
                    404));

    private Path publicData;
    private Path privateData;

    private IndelibleServer publicServer;
    private IndelibleServer privateServer;
    private final Map<Boolean, Map<Caller, String>> credentials = new LinkedHashMap<>();
    private final AtomicInteger tokenNames = new AtomicInteger();

    @BeforeAll
    void start(@TempDir Path root) throws Exception {
        publicData = root.resolve("public");
        privateData = root.resolve("private");
        // Failed attempts are rate limited per address (5/s by default); the matrix makes hundreds.
        SecurityConfig security =
                SecurityConfig.defaults().withRateLimit(new SecurityConfig.RateLimit(10_000, 10_000, 10_000));
        publicServer = IndelibleServer.start(TestHttp.config(publicData, security));
        privateServer = IndelibleServer.start(TestHttp.config(privateData, security.withPublicReads(false)));
        credentials.put(true, callers(publicServer, publicData));
        credentials.put(false, callers(privateServer, privateData));
        for (IndelibleServer server : List.of(publicServer, privateServer)) {
            String admin = credentials.get(server == publicServer).get(Caller.ADMIN);
            URI append = URI.create(base(server) + "/v1/logs/audit/entries?wait=checkpoint");
            assertThat(TestHttp.send("POST", append, admin, "{\"seed\":1}").statusCode())
                    .isEqualTo(200);
        }
    }

    @AfterAll
    void stop() {
        publicServer.close();
        privateServer.close();
    }

    private Map<Caller, String> callers(IndelibleServer server, Path data) throws Exception {
        Map<Caller, String> c = new LinkedHashMap<>();
        TokenStore tokens = TokenStore.open(data, Clock.systemUTC());
        c.put(Caller.ADMIN, server.takeBootstrapAdminToken().orElseThrow());
        c.put(Caller.MALFORMED, "Basic YWRtaW46YWRtaW4=");
        c.put(Caller.BAD_TOKEN, "idl_" + "A".repeat(43));
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofDays(2)), ZoneOffset.UTC);
        c.put(
                Caller.EXPIRED,
                TokenStore.open(data, past)
                        .create(
                                "expired",
                                Set.of(Scope.parse("read:*"), Scope.parse("append:*")),
                                Optional.of(Duration.ofDays(1)))
                        .secret());
        c.put(
                Caller.REVOKED,
                tokens.create("revoked", Set.of(Scope.ADMIN), Optional.empty()).secret());
        tokens.revoke("revoked");
        c.put(
                Caller.APPEND_ONLY,
                tokens.create("writer", Set.of(Scope.parse("append:audit")), Optional.empty())
                        .secret());
        c.put(
                Caller.READ_ONLY,
                tokens.create("reader", Set.of(Scope.parse("read:audit")), Optional.empty())
                        .secret());
        c.put(
                Caller.READ_OTHER_LOG,
                tokens.create("other", Set.of(Scope.parse("read:other"), Scope.parse("append:other")), Optional.empty())
                        .secret());
        Thread.sleep(TokenStore.RELOAD_CHECK_INTERVAL.toMillis() + 50);
        return c;
    }

    /** The expected status of {@code caller} on a route of {@code kind} when reads are (not) public. */
    static int expected(Caller caller, Kind kind, int allowed, boolean publicReads) {
        switch (caller) {
            case MALFORMED, BAD_TOKEN, EXPIRED, REVOKED -> {
                return 401;
            }
            case ADMIN -> {
                return allowed;
            }
            default -> {}
        }
        boolean anonymous = caller == Caller.NONE;
        return switch (kind) {
            case PUBLIC -> allowed;
            case VERIFY -> publicReads ? allowed : anonymous ? 401 : caller == Caller.READ_ONLY ? allowed : 403;
            case LIST -> publicReads || !anonymous ? allowed : 401;
            case READ -> anonymous ? 401 : caller == Caller.READ_ONLY ? allowed : 403;
            case APPEND -> anonymous ? 401 : caller == Caller.APPEND_ONLY ? allowed : 403;
            case ADMIN -> anonymous ? 401 : 403;
        };
    }

    @Test
    void everyRouteAndCallerGetsTheExpectedStatus() throws Exception {
        List<String> failures = new ArrayList<>();
        int cells = 0;
        for (boolean publicReads : List.of(true, false)) {
            IndelibleServer server = publicReads ? publicServer : privateServer;
            for (Probe probe : PROBES) {
                for (Caller caller : Caller.values()) {
                    String body = probe.route().equals("POST /v1/admin/tokens")
                            ? "{\"name\":\"t" + tokenNames.incrementAndGet() + "\",\"scopes\":[\"read:audit\"]}"
                            : probe.body();
                    String credential = caller == Caller.NONE
                            ? null
                            : credentials.get(publicReads).get(caller);
                    HttpResponse<String> response =
                            TestHttp.send(probe.method(), URI.create(base(server) + probe.path()), credential, body);
                    int want = expected(caller, probe.kind(), probe.allowedStatus(), publicReads);
                    cells++;
                    if (response.statusCode() != want) {
                        failures.add(
                                "publicReads=" + publicReads + " " + caller + " " + probe.method() + " " + probe.path()
                                        + ": got " + response.statusCode() + ", want " + want + " " + response.body());
                    }
                    if (want == 401 || want == 403) {
                        assertThat(response.headers().firstValue("Content-Type"))
                                .hasValue("application/problem+json");
                        assertThat(response.body())
                                .contains(want == 401 ? "\"code\":\"unauthorized\"" : "\"code\":\"forbidden\"");
                    }
                    if (want == 401) {
                        assertThat(response.headers().firstValue("WWW-Authenticate"))
                                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
                        assertThat(response.body())
                                .contains("a valid credential is required")
                                .doesNotContain("revoked", "expired", "unknown");
                    }
                }
            }
        }
        assertThat(failures).as("%d cells", cells).isEmpty();
    }

    @Test
    void everyRuledRouteHasARow() {
        Set<String> probed = new TreeSet<>();
        PROBES.forEach(p -> probed.add(p.route()));
        assertThat(probed).isEqualTo(RouteRules.all().keySet());
    }

    @Test
    void aRouteWithoutARuleStopsTheServer() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> AccessControl.requireRules(List.of("GET /v1/logs", "POST /v1/logs/{log}/secret-export")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("POST /v1/logs/{log}/secret-export");
    }

    @Test
    void onlyAdminReadsTheAccessLogAndNobodyWritesIt() throws Exception {
        Map<Caller, String> c = credentials.get(true);
        String base = base(publicServer);
        String readAll = publicServer == null
                ? null
                : TokenStore.open(publicData, Clock.systemUTC())
                        .create("read-all", Set.of(Scope.parse("read:*")), Optional.empty())
                        .secret();
        Thread.sleep(TokenStore.RELOAD_CHECK_INTERVAL.toMillis() + 50);
        for (String path : List.of(
                "/v1/logs/_access/entries?start=0&end=1",
                "/v1/logs/_access/entries/0",
                "/v1/logs/_access/checkpoint",
                "/v1/logs/_access",
                "/v1/logs/_access/tlog/tile/entries/000.p/1")) {
            assertThat(TestHttp.send("GET", URI.create(base + path), readAll, null)
                            .statusCode())
                    .as(path)
                    .isEqualTo(403);
            assertThat(TestHttp.send("GET", URI.create(base + path), null, null).statusCode())
                    .as(path)
                    .isEqualTo(401);
        }
        HttpResponse<String> post = TestHttp.send(
                "POST", URI.create(base + "/v1/logs/_access/entries"), c.get(Caller.ADMIN), "{\"forged\":1}");
        assertThat(post.statusCode()).isEqualTo(400);
        assertThat(post.body()).contains("invalid-log-name");
        HttpResponse<String> list = TestHttp.send("GET", URI.create(base + "/v1/logs"), c.get(Caller.ADMIN), null);
        assertThat(list.body()).doesNotContain("_access");
    }

    @Test
    void readsExportsAndFailuresAreRecordedInTheAccessLog() throws Exception {
        Map<Caller, String> c = credentials.get(true);
        String base = base(publicServer);
        assertThat(TestHttp.send(
                                "GET",
                                URI.create(base + "/v1/logs/audit/entries?start=0&end=1"),
                                c.get(Caller.READ_ONLY),
                                null)
                        .statusCode())
                .isEqualTo(200);
        assertThat(TestHttp.send("GET", URI.create(base + "/v1/logs/audit/entries/0"), c.get(Caller.REVOKED), null)
                        .statusCode())
                .isEqualTo(401);
        String accessLog = "";
        for (int attempt = 0;
                attempt < 50
                        && !(accessLog.contains("\"principal\":\"token:reader\"")
                                && accessLog.contains("revoked token revoked"));
                attempt++) {
            Thread.sleep(100);
            HttpResponse<String> info =
                    TestHttp.send("GET", URI.create(base + "/v1/logs/_access"), c.get(Caller.ADMIN), null);
            long size = Long.parseLong(info.body().replaceAll(".*\"treeSize\":(\\d+).*", "$1"));
            accessLog = TestHttp.send(
                            "GET",
                            URI.create(base + "/v1/logs/_access/entries?start=0&end=" + size),
                            c.get(Caller.ADMIN),
                            null)
                    .body();
        }
        assertThat(accessLog)
                .contains("\"principal\":\"token:reader\",\"query\":\"start=0&end=1\",\"resultCount\":1,\"status\":200")
                .contains("\"action\":\"export\"")
                .contains("\"reason\":\"revoked token revoked\"")
                .contains("\"kind\":\"access-denied\"")
                .doesNotContain(c.get(Caller.REVOKED), c.get(Caller.READ_ONLY), c.get(Caller.ADMIN));
    }

    private static String base(IndelibleServer server) {
        return "http://127.0.0.1:" + server.port();
    }
}
