package dev.indelible.replication;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The cluster's replicated access-control tokens as the Raft log has built them up to the applied
 * index: by name, in the order they were first named, each possibly revoked. It decides every
 * {@link Command.TokenPut} and {@link Command.TokenRevoke} from this state alone — never from what
 * this node's token file holds besides (tokens made there by the offline CLI, the bootstrap admin
 * token) — so every replica answers the same; then it hands the outcome to {@link
 * ReplicatedTokens}. The state goes into every snapshot ({@link SnapshotFile}, hashes only) and is
 * restored from one, so a node that installs a snapshot or restarts after the Raft log was purged
 * still stores every replicated token and every revocation.
 *
 * <p>A revocation of a name no replicated token has is remembered too (an entry without a token):
 * it revoked the nodes' own tokens of that name, and a node that later catches up from a snapshot
 * must revoke its own as well. Such a name, like any revoked one, is not reused.
 *
 * <p>Apply thread only (and {@link #restore} while nothing is applied). Bounded by {@link
 * #TOKENS_MAX} entries: beyond it a put is refused, on every replica alike, and a revocation of an
 * unknown name still revokes the stores' tokens of that name but is not remembered.
 */
final class TokenRegistry {
    /** The most entries (tokens, revoked ones included, and revoked unknown names). */
    static final int TOKENS_MAX = 10_000;

    /**
     * What a snapshot records of one name.
     *
     * @param token the replicated token of that name; empty for a revoked name the cluster had no
     *     token of
     */
    record Entry(String name, Optional<ReplicatedTokens.Token> token, boolean revoked) {
        /** Checks the token has the entry's name and an entry without a token is a revocation. */
        Entry {
            if (token.isPresent() ? !token.get().name().equals(name) : !revoked) {
                throw new IllegalArgumentException("entry " + name + " with token " + token + ", revoked " + revoked);
            }
        }
    }

    private final ReplicatedTokens store;
    private final LinkedHashMap<String, Entry> byName = new LinkedHashMap<>();

    TokenRegistry(ReplicatedTokens store) {
        this.store = store;
    }

    /**
     * Applies a put: {@code ok(1)} stored; {@code ok(0)} this very token is there already (nothing
     * changes); {@code failed} if the name is taken or was revoked (names are not reused) or the
     * registry is full.
     *
     * @throws IOException if the store cannot keep it (the node stops)
     */
    Reply put(ReplicatedTokens.Token token) throws IOException {
        Entry existing = byName.get(token.name());
        if (existing != null) {
            if (existing.token().equals(Optional.of(token))) {
                return Reply.ok(0);
            }
            return Reply.failed(
                    existing.revoked()
                            ? "the token name \"" + token.name()
                                    + "\" was revoked in the cluster; revoked names are not reused"
                            : "a token named \"" + token.name() + "\" exists in the cluster");
        }
        if (byName.size() >= TOKENS_MAX) {
            return Reply.failed("the cluster holds " + TOKENS_MAX + " token names, the maximum");
        }
        store.store(token);
        byName.put(token.name(), new Entry(token.name(), Optional.of(token), false));
        return Reply.ok(1);
    }

    /**
     * Applies a revocation: the store revokes every token of that name it holds; {@code ok(1)} if a
     * replicated token of that name was unrevoked, else {@code ok(0)}.
     *
     * @throws IOException if the store cannot keep it (the node stops)
     */
    Reply revoke(String name) throws IOException {
        store.revokeAll(name);
        Entry existing = byName.get(name);
        if (existing == null) {
            if (byName.size() < TOKENS_MAX) {
                byName.put(name, new Entry(name, Optional.empty(), true));
            }
            return Reply.ok(0);
        }
        if (existing.revoked()) {
            return Reply.ok(0);
        }
        byName.put(name, new Entry(name, existing.token(), true));
        return Reply.ok(1);
    }

    /** The state for a snapshot, in the order the names were first used. */
    List<Entry> snapshotState() {
        return List.copyOf(byName.values());
    }

    /**
     * Replaces the state with a snapshot's and brings the store up to it (idempotent: tokens it
     * holds already are left alone, revoked names are revoked again).
     */
    void restore(List<Entry> entries) throws IOException {
        byName.clear();
        for (Entry entry : entries) {
            if (entry.token().isPresent()) {
                store.store(entry.token().get());
            }
            if (entry.revoked()) {
                store.revokeAll(entry.name());
            }
            byName.put(entry.name(), entry);
        }
    }
}
