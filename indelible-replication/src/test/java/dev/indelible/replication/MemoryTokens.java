package dev.indelible.replication;

import dev.indelible.formats.merkle.Hash;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's token store for tests, in memory: what {@link ReplicatedTokens} was told, by hash, with
 * the same contract as the token file (a put of a stored hash changes nothing; a revocation revokes
 * every token of that name). Kept by {@link LocalCluster} across a node's restarts, as a file would be.
 */
final class MemoryTokens implements ReplicatedTokens {
    /** One stored token. */
    record Stored(Token token, boolean revoked) {}

    private final Map<Hash, Stored> byHash = new LinkedHashMap<>();

    @Override
    public synchronized void store(Token token) {
        byHash.putIfAbsent(token.sha256(), new Stored(token, false));
    }

    @Override
    public synchronized void revokeAll(String name) {
        byHash.replaceAll(
                (hash, stored) -> stored.token().name().equals(name) ? new Stored(stored.token(), true) : stored);
    }

    /** The stored token called {@code name}, if any (the first, should there be several). */
    synchronized Optional<Stored> find(String name) {
        return byHash.values().stream()
                .filter(stored -> stored.token().name().equals(name))
                .findFirst();
    }

    /** Everything stored, in the order it was put. */
    synchronized List<Stored> all() {
        return new ArrayList<>(byHash.values());
    }
}
