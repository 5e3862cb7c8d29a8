package dev.indelible.server.auth;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import dev.indelible.replication.RaftNode;
import dev.indelible.replication.ReplicatedTokens;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The tokens of a cluster node: its {@link TokenStore}, to which the Raft apply thread writes the
 * tokens the cluster replicates ({@link ReplicatedTokens}), and the admin API's way to create and
 * revoke tokens through the Raft log ({@link TokenAdministration}), so that a token works, and a
 * revocation holds, on every node.
 *
 * <p>Creating: this node makes the secret and its hash ({@link TokenStore#mint}), proposes only the
 * record (name, SHA-256, scopes, creation and expiry times chosen here), and hands the secret to the
 * caller once the cluster has committed it and this node has applied it. Revoking proposes the name:
 * every node revokes every token of that name it holds, its own local ones included (revocation
 * errs on the safe side). Tokens made by the offline CLI and the bootstrap admin token stay on their
 * node.
 *
 * <p>Order of use: {@link #open} before the Raft node starts (it applies replicated tokens from its
 * first replayed entry), then {@link #proposeThrough} once it runs; until then the admin API
 * answers {@code overloaded}. Thread-safe.
 */
public final class ClusterTokens implements ReplicatedTokens, TokenAdministration {
    /** The longest the admin API waits for the cluster to commit a token change. */
    static final Duration COMMIT_WAIT_MAX = Duration.ofSeconds(10);

    private final TokenStore store;
    private final boolean fileExistedAtOpen;
    private volatile RaftNode node;

    private ClusterTokens(TokenStore store, boolean fileExistedAtOpen) {
        this.store = store;
        this.fileExistedAtOpen = fileExistedAtOpen;
    }

    /** Opens the token file of {@code dataDirectory}, before the Raft node starts. */
    public static ClusterTokens open(Path dataDirectory, Clock clock) throws IOException {
        TokenStore store = TokenStore.open(dataDirectory, clock);
        return new ClusterTokens(store, store.exists());
    }

    /** From now on the admin API proposes token changes through {@code raftNode}. */
    public void proposeThrough(RaftNode raftNode) {
        this.node = raftNode;
    }

    /**
     * Whether the node may vouch for the tokens in its file: once the Raft node runs, while it has
     * applied every revocation the cluster acknowledged up to {@link RaftNode#TOKEN_VOUCH_WINDOW}
     * ago ({@link RaftNode#vouchesForTokens}); never before.
     */
    boolean vouches() {
        RaftNode current = node;
        return current != null && current.vouchesForTokens();
    }

    /** The node's token file. */
    TokenStore store() {
        return store;
    }

    /**
     * Whether the token file existed before the Raft node could write replicated tokens to it: the
     * bootstrap admin token is made on a node's first start only, whatever the cluster replicated
     * to it since.
     */
    boolean fileExistedAtOpen() {
        return fileExistedAtOpen;
    }

    @Override
    public void store(ReplicatedTokens.Token token) throws IOException {
        Set<Scope> scopes = new TreeSet<>(java.util.Comparator.comparing(Scope::toString));
        token.scopes().forEach(scope -> scopes.add(Scope.parse(scope)));
        store.put(new TokenStore.TokenInfo(
                token.name(), token.sha256().hex(), scopes, token.createdAt(), token.expiresAt(), false));
    }

    @Override
    public void revokeAll(String name) throws IOException {
        store.revoke(name);
    }

    @Override
    public TokenStore.IssuedToken create(String name, Set<Scope> scopes, Optional<Duration> validity)
            throws IOException {
        TokenStore.IssuedToken issued = store.mint(name, scopes, validity);
        if (store.list().stream().anyMatch(t -> t.name().equals(name))) {
            throw new IllegalArgumentException(
                    "a token named \"" + name + "\" exists on this node; revoked names are not reused");
        }
        TokenStore.TokenInfo info = issued.info();
        List<String> scopeTexts =
                info.scopes().stream().map(Scope::toString).sorted().toList();
        Token record = new Token(name, Hash.fromHex(info.sha256()), scopeTexts, info.createdAt(), info.expiresAt());
        await(requireNode().proposeTokenPut(record), "creating token " + name);
        return issued;
    }

    @Override
    public boolean revoke(String name) throws IOException {
        boolean heldHere = store.list().stream().anyMatch(t -> t.name().equals(name) && !t.revoked());
        boolean replicated = await(requireNode().proposeTokenRevoke(name), "revoking token " + name);
        return heldHere || replicated;
    }

    @Override
    public List<TokenStore.TokenInfo> list() throws IOException {
        return store.list();
    }

    private RaftNode requireNode() {
        RaftNode current = node;
        if (current == null) {
            throw new IndelibleException(ErrorCode.OVERLOADED, "the node is starting; retry");
        }
        return current;
    }

    private static <T> T await(CompletableFuture<T> proposal, String what) {
        try {
            return proposal.get(COMMIT_WAIT_MAX.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IndelibleException ie) {
                throw new IndelibleException(ie.code(), ie.getMessage(), ie);
            }
            throw new IndelibleException(ErrorCode.INTERNAL, what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IndelibleException(
                    ErrorCode.OVERLOADED,
                    what + ": not committed by the cluster within " + COMMIT_WAIT_MAX.toSeconds()
                            + " s (it may still commit; list the tokens before retrying)",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IndelibleException(ErrorCode.OVERLOADED, what + ": interrupted", e);
        }
    }
}
