package dev.indelible.replication;

import dev.indelible.formats.merkle.Hash;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where a node keeps the access-control tokens that the cluster replicates through its Raft log
 * ({@link RaftNode#proposeTokenPut}, {@link RaftNode#proposeTokenRevoke}): in indelible-server, the
 * node's token file. The cluster decides which token records exist and which are revoked (the state
 * machine keeps that state and writes it into every snapshot); this interface only stores the
 * outcome where authentication looks for it.
 *
 * <p>Contract: both methods are called by the state machine, one call at a time: on the Raft apply
 * thread in Raft log order, again for entries replayed after a restart, and for every token of a
 * snapshot when one is loaded (on start, after a snapshot install, while nothing is applied). So
 * they MUST be idempotent, and they MUST NOT read a clock
 * or randomness to decide what to store. The change MUST be durable when they return: after a
 * restart the Raft log after the last snapshot is replayed in the background while the node already
 * serves, and a revocation must hold meanwhile (which is also why {@link #store} never revives a
 * revoked token). An exception stops the node (fail-stop): a node that cannot store a revocation
 * must not go on serving. Only records travel here, never a secret.
 */
public interface ReplicatedTokens {
    /**
     * One token as the cluster knows it: what a token file stores, never the secret.
     *
     * @param name unique among replicated tokens, revoked ones included
     * @param sha256 the SHA-256 of the secret
     * @param scopes the scopes, as text ({@code append:<log>}, {@code read:<log>}, {@code admin})
     * @param createdAt chosen by the node that proposed it
     * @param expiresAt chosen by the node that proposed it; empty for no expiry
     */
    record Token(String name, Hash sha256, List<String> scopes, Instant createdAt, Optional<Instant> expiresAt) {
        /** Copies the scopes; checks there is a name and at least one scope. */
        public Token {
            scopes = List.copyOf(scopes);
            if (name.isEmpty() || scopes.isEmpty()) {
                throw new IllegalArgumentException("a token needs a name and a scope, got \"" + name + "\" " + scopes);
            }
        }

        @Override
        public String toString() {
            return "Token[" + name + " " + scopes + "]";
        }
    }

    /**
     * Stores {@code token}, unless a token with the same {@code sha256} is stored already (revoked
     * or not: a replayed put never revives a revoked token).
     */
    void store(Token token) throws IOException;

    /** Revokes every unrevoked token called {@code name}; nothing if there is none. */
    void revokeAll(String name) throws IOException;
}
