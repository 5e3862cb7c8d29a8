package dev.indelible.server.auth;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the admin API ({@link AdminRoutes}) does with tokens: on a single node, this node's {@link
 * TokenStore}; in a cluster, {@link ClusterTokens}, which creates and revokes through the Raft log
 * so that every node agrees. Called on request threads; implementations are thread-safe.
 */
interface TokenAdministration {
    /**
     * Creates a token; its secret is in the result and nowhere else. Durable (stored, or committed
     * by the cluster) when it returns.
     *
     * @param validity how long the token is valid, or empty for no expiry
     * @throws IllegalArgumentException if the name is invalid or taken, or there is no scope
     * @throws dev.indelible.log.IndelibleException {@code overloaded} (retryable) if a cluster did
     *     not commit it in time
     */
    TokenStore.IssuedToken create(String name, Set<Scope> scopes, Optional<Duration> validity) throws IOException;

    /**
     * Revokes the token called {@code name}; durable when it returns.
     *
     * @return whether an unrevoked token of that name existed
     * @throws dev.indelible.log.IndelibleException {@code overloaded} (retryable) if a cluster did
     *     not commit it in time
     */
    boolean revoke(String name) throws IOException;

    /** The tokens this node accepts or accepted, in creation order (never secrets). */
    List<TokenStore.TokenInfo> list() throws IOException;
}
