package dev.indelible.replication;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The cluster's replicated access-control tokens as the Raft log has built them up to the applied
 * index: by name, in the order they were put, each possibly revoked. It decides every
 * {@link Command.TokenPut} and {@link Command.TokenRevoke} from this state alone — never from what
 * this node's token file holds besides (tokens made there by the offline CLI, the bootstrap admin
 * token) — so every replica answers the same; then it hands the outcome to {@link
 * ReplicatedTokens}. The state goes into every snapshot ({@link SnapshotFile}, hashes only) and is
 * restored from one, so a node that installs a snapshot or restarts after the Raft log was purged
 * still stores every replicated token.
 *
 * <p>Apply thread only (and {@link #restore} before applies resume). Bounded by {@link
 * #TOKENS_MAX}: beyond it a put is refused, on every replica alike.
 */
final class TokenRegistry {
    /** The most replicated tokens (revoked ones included), as a token file holds at most. */
    static final int TOKENS_MAX = 10_000;

    /** What a snapshot records of one replicated token. */
    record Entry(ReplicatedTokens.Token token, boolean revoked) {}

    private final ReplicatedTokens store;
    private final LinkedHashMap<String, Entry> byName = new LinkedHashMap<>();

    TokenRegistry(ReplicatedTokens store) {
        this.store = store;
    }

    /**
     * Applies a put: {@code ok(1)} stored; {@code ok(0)} this very token is there already (nothing
     * changes); {@code failed} if another token has its name (revoked names are not reused) or the
     * registry is full.
     *
     * @throws IOException if the store cannot keep it (the node stops)
     */
    Reply put(ReplicatedTokens.Token token) throws IOException {
        Entry existing = byName.get(token.name());
        if (existing != null) {
            return existing.token().equals(token)
                    ? Reply.ok(0)
                    : Reply.failed("a token named \"" + token.name() + "\" exists in the cluster; revoked names are not reused");
        }
        if (byName.size() >= TOKENS_MAX) {
            return Reply.failed("the cluster holds " + TOKENS_MAX + " tokens, the maximum");
        }
        store.store(token);
        byName.put(token.name(), new Entry(token, false));
        return Reply.ok(1);
    }

    /**
     * Applies a revocation: {@code ok(1)} if a replicated token of that name was unrevoked, else
     * {@code ok(0)}. Either way the store revokes every token of that name this node holds.
     *
     * @throws IOException if the store cannot keep it (the node stops)
     */
    Reply revoke(String name) throws IOException {
        store.revokeAll(name);
        Entry existing = byName.get(name);
        if (existing == null || existing.revoked()) {
            return Reply.ok(0);
        }
        byName.put(name, new Entry(existing.token(), true));
        return Reply.ok(1);
    }

    /** The state for a snapshot, in the order the tokens were put. */
    List<Entry> snapshotState() {
        return List.copyOf(byName.values());
    }

    /**
     * Replaces the state with a snapshot's and brings the store up to it (idempotent: tokens it
     * holds already are left alone, revoked ones are revoked again).
     */
    void restore(List<Entry> entries) throws IOException {
        byName.clear();
        for (Entry entry : entries) {
            store.store(entry.token());
            if (entry.revoked()) {
                store.revokeAll(entry.token().name());
            }
            byName.put(entry.token().name(), entry);
        }
    }
}
