package dev.indelible.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A valid token counts only while the node vouches for its tokens; everything else about
 * authentication is unchanged by it (the cluster side is TokenReplicationTest and ClusterTokensIT).
 */
class TokenVouchingTest {
    @TempDir
    Path data;

    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final AtomicBoolean vouched = new AtomicBoolean();

    @Test
    void aValidTokenIsUndecidedWhileTheNodeDoesNotVouchAndOtherCredentialsAreAnsweredAsBefore() throws Exception {
        TokenStore tokens = TokenStore.open(data, clock);
        String ci = tokens.create("ci", Set.of(Scope.ADMIN), Optional.empty()).secret();
        String gone =
                tokens.create("gone", Set.of(Scope.ADMIN), Optional.empty()).secret();
        tokens.revoke("gone");
        Authenticator authenticator = new Authenticator(tokens, vouched::get, Optional.empty(), Map.of());

        vouched.set(false);
        Authentication undecided = authenticator.authenticate("Bearer " + ci, null);
        assertThat(undecided.undecided()).isTrue();
        assertThat(undecided.principal()).isEmpty();
        assertThat(undecided.reason()).contains("ci").doesNotContain(ci);
        Authentication revoked = authenticator.authenticate("Bearer " + gone, null);
        assertThat(revoked.undecided())
                .as("a revoked token is refused, not undecided")
                .isFalse();
        assertThat(revoked.principal()).isEmpty();
        Authentication unknown = authenticator.authenticate("Bearer idl_" + "Q".repeat(43), null);
        assertThat(unknown.undecided()).isFalse();
        assertThat(unknown.principal()).isEmpty();
        assertThat(authenticator.authenticate(null, null).principal()).hasValue(Principal.ANONYMOUS);

        vouched.set(true);
        Authentication accepted = authenticator.authenticate("Bearer " + ci, null);
        assertThat(accepted.undecided()).isFalse();
        assertThat(accepted.principal())
                .hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("token:ci"));
    }
}
