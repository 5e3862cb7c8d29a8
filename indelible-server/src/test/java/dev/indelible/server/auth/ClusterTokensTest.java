package dev.indelible.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import dev.indelible.replication.ReplicatedTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The apply side of replicated tokens on a node's token file, without Raft. */
class ClusterTokensTest {
    @TempDir
    Path data;

    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    /** A token as another node minted it: the record of {@code secret}, never the secret itself. */
    private static ReplicatedTokens.Token replicated(String name, String secret) {
        return new ReplicatedTokens.Token(
                name,
                Hash.fromHex(TokenStore.sha256Hex(secret)),
                List.of("append:audit", "read:*"),
                Instant.ofEpochSecond(1_767_000_000L, 123_456_789),
                Optional.of(Instant.ofEpochSecond(1_900_000_000L, 1)));
    }

    @Test
    void aReplicatedTokenIsStoredByHashWithItsTimesAndAuthenticates() throws Exception {
        ClusterTokens tokens = ClusterTokens.open(data, clock);
        String secret = "idl_" + "A".repeat(43);

        tokens.store(replicated("ci", secret));

        TokenStore.TokenInfo info = tokens.store().authenticate(secret).token().orElseThrow();
        assertThat(info.name()).isEqualTo("ci");
        assertThat(info.scopes()).extracting(Scope::toString).containsExactlyInAnyOrder("append:audit", "read:*");
        assertThat(info.createdAt()).isEqualTo(Instant.ofEpochSecond(1_767_000_000L, 123_456_789));
        assertThat(info.expiresAt()).contains(Instant.ofEpochSecond(1_900_000_000L, 1));
        assertThat(TokenStore.open(data, clock).list()).containsExactly(info);
        assertThat(Files.readString(data.resolve("auth/tokens.json"))).doesNotContain(secret);
    }

    @Test
    void storingAgainChangesNothingAndNeverRevivesARevokedToken() throws Exception {
        ClusterTokens tokens = ClusterTokens.open(data, clock);
        String secret = "idl_" + "B".repeat(43);
        tokens.store(replicated("ci", secret));
        tokens.store(replicated("ci", secret));
        assertThat(tokens.list()).hasSize(1);

        tokens.revokeAll("ci");
        tokens.store(replicated("ci", secret)); // a replayed put after the revocation
        assertThat(tokens.store().authenticate(secret).reason()).isEqualTo("revoked token ci");
        tokens.revokeAll("ci");
        tokens.revokeAll("nobody");

        assertThat(tokens.list())
                .singleElement()
                .satisfies(t -> assertThat(t.revoked()).isTrue());
        assertThat(tokens.store().authenticate(secret).reason()).isEqualTo("revoked token ci");
    }

    @Test
    void aRevocationOfTheClusterAlsoRevokesThisNodesOwnTokenOfThatName() throws Exception {
        ClusterTokens tokens = ClusterTokens.open(data, clock);
        String local = tokens.store()
                .create("ops", Set.of(Scope.ADMIN), Optional.empty())
                .secret();
        String elsewhere = "idl_" + "C".repeat(43);
        tokens.store(replicated("ops", elsewhere));
        assertThat(tokens.store().authenticate(local).token()).isPresent();
        assertThat(tokens.store().authenticate(elsewhere).token()).isPresent();

        tokens.revokeAll("ops");

        assertThat(tokens.store().authenticate(local).reason()).isEqualTo("revoked token ops");
        assertThat(tokens.store().authenticate(elsewhere).reason()).isEqualTo("revoked token ops");
    }

    @Test
    void theAdminApiRefusesANameThisNodeHoldsAndAnswersOverloadedBeforeTheNodeRuns() throws Exception {
        ClusterTokens tokens = ClusterTokens.open(data, clock);
        assertThat(tokens.fileExistedAtOpen()).isFalse();
        tokens.store().create("admin", Set.of(Scope.ADMIN), Optional.empty());

        assertThatThrownBy(() -> tokens.create("admin", Set.of(Scope.ADMIN), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exists on this node");
        assertThatThrownBy(() -> tokens.create("ci", Set.of(Scope.ADMIN), Optional.empty()))
                .isInstanceOf(IndelibleException.class)
                .satisfies(e -> assertThat(((IndelibleException) e).code()).isEqualTo(ErrorCode.OVERLOADED));
        assertThat(tokens.list()).extracting(TokenStore.TokenInfo::name).containsExactly("admin");
        assertThat(ClusterTokens.open(data, clock).fileExistedAtOpen()).isTrue();
    }
}
