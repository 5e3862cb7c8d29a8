package dev.indelible.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
    @TempDir
    Path data;

    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void createdTokenAuthenticatesAndOnlyItsHashIsStored() throws Exception {
        TokenStore store = TokenStore.open(data, clock);
        TokenStore.IssuedToken issued = store.create("ci-writer", Set.of(Scope.parse("append:k8s")), Optional.empty());
        assertThat(issued.secret()).matches("idl_[A-Za-z0-9_-]{43}");
        assertThat(issued.toString()).doesNotContain(issued.secret());
        String file = Files.readString(data.resolve("auth/tokens.json"));
        assertThat(file).doesNotContain(issued.secret()).contains(TokenStore.sha256Hex(issued.secret()), "append:k8s");
        TokenStore.Lookup lookup = store.authenticate(issued.secret());
        assertThat(lookup.token()).map(TokenStore.TokenInfo::name).hasValue("ci-writer");
        assertThat(lookup.reason()).doesNotContain(issued.secret());
    }

    @Test
    void unknownMalformedRevokedAndExpiredTokensAreRefused() throws Exception {
        TokenStore store = TokenStore.open(data, clock);
        String revoked =
                store.create("old", Set.of(Scope.ADMIN), Optional.empty()).secret();
        assertThat(store.revoke("old")).isTrue();
        assertThat(store.revoke("old")).isFalse();
        String expiring = store.create("short", Set.of(Scope.ADMIN), Optional.of(Duration.ofHours(1)))
                .secret();
        TokenStore later = TokenStore.open(data, Clock.offset(clock, Duration.ofHours(1)));
        assertThat(later.authenticate(revoked).reason()).isEqualTo("revoked token old");
        assertThat(later.authenticate(expiring).reason()).isEqualTo("expired token short");
        assertThat(store.authenticate(expiring).token()).isPresent();
        assertThat(store.authenticate("idl_" + "x".repeat(43)).reason()).isEqualTo("unknown token");
        assertThat(store.authenticate("idl_short").reason()).isEqualTo("malformed token");
        assertThat(store.authenticate(revoked + "A").reason()).isEqualTo("malformed token");
    }

    @Test
    void aRunningStoreSeesChangesMadeByAnotherProcessWithinTheReloadInterval() throws Exception {
        TokenStore server = TokenStore.open(data, clock);
        TokenStore cli = TokenStore.open(data, clock);
        String secret = cli.create("late", Set.of(Scope.parse("read:*")), Optional.empty())
                .secret();
        Thread.sleep(TokenStore.RELOAD_CHECK_INTERVAL.toMillis() + 20);
        assertThat(server.authenticate(secret).token()).isPresent();
        cli.revoke("late");
        Thread.sleep(TokenStore.RELOAD_CHECK_INTERVAL.toMillis() + 20);
        assertThat(server.authenticate(secret).token()).isEmpty();
        // Two writers never lose each other's update: both tokens survive.
        server.create("a", Set.of(Scope.ADMIN), Optional.empty());
        cli.create("b", Set.of(Scope.ADMIN), Optional.empty());
        assertThat(TokenStore.open(data, clock).list())
                .extracting(TokenStore.TokenInfo::name)
                .containsExactly("late", "a", "b");
    }

    @Test
    void namesAreValidatedAndNeverReused() throws Exception {
        TokenStore store = TokenStore.open(data, clock);
        store.create("x", Set.of(Scope.ADMIN), Optional.empty());
        store.revoke("x");
        assertThatThrownBy(() -> store.create("x", Set.of(Scope.ADMIN), Optional.empty()))
                .hasMessageContaining("exists");
        assertThatThrownBy(() -> store.create("bad name", Set.of(Scope.ADMIN), Optional.empty()))
                .hasMessageContaining("invalid");
        assertThatThrownBy(() -> store.create("none", Set.of(), Optional.empty()))
                .hasMessageContaining("scope");
    }

    @Test
    void scopesParseAndMatchUserLogsOnly() {
        assertThat(Scope.parse("append:k8s").toString()).isEqualTo("append:k8s");
        assertThat(Scope.parse("read:*").grants(Scope.Kind.READ, new dev.indelible.log.LogName("any")))
                .isTrue();
        assertThat(Scope.parse("read:*").grants(Scope.Kind.READ, dev.indelible.log.LogName.system("_access")))
                .isFalse();
        assertThat(Scope.parse("read:k8s").grants(Scope.Kind.APPEND, new dev.indelible.log.LogName("k8s")))
                .isFalse();
        assertThat(Scope.ADMIN.grants(Scope.Kind.READ, dev.indelible.log.LogName.system("_access")))
                .isTrue();
        for (String bad : new String[] {"read", "read:", "write:k8s", "read:_access", "append:K8S", "admin:x"}) {
            assertThatThrownBy(() -> Scope.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(TokenStore.parseValidity("90d")).isEqualTo(Duration.ofDays(90));
        assertThat(TokenStore.parseValidity("PT1H")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> TokenStore.parseValidity("-1d")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rateLimiterRefusesBeyondTheBurstAndRefills() {
        long[] now = {0};
        RateLimiter limiter = new RateLimiter(2, 3, () -> now[0]);
        assertThat(limiter.acquire("k")).isZero();
        assertThat(limiter.acquire("k")).isZero();
        assertThat(limiter.acquire("k")).isZero();
        assertThat(limiter.acquire("k")).isEqualTo(1);
        assertThat(limiter.acquire("other")).isZero();
        now[0] += 500_000_000L;
        assertThat(limiter.acquire("k")).isZero();
        assertThat(limiter.acquire("k")).isEqualTo(1);
    }

    @Test
    void redactsCredentialsFromQueryStrings() {
        assertThat(AccessControl.redact("a=1&token=idl_abcDEF-_x&jwt=eyJhbGc.eyJzdWIi.sig"))
                .isEqualTo("a=1&token=idl_REDACTED&jwt=JWT_REDACTED");
    }
}
