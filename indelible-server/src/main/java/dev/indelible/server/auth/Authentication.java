package dev.indelible.server.auth;

import java.util.Optional;

/**
 * The outcome of checking one credential: a principal, or a reason it was refused. The reason goes
 * to {@code _access} (readable by admins only) and never to the client, which learns only "401" —
 * or, for a valid token this node cannot vouch for right now ({@code undecided}), a retryable 503.
 */
record Authentication(Optional<Principal> principal, String reason, boolean undecided) {
    static Authentication of(Principal principal, String reason) {
        return new Authentication(Optional.of(principal), reason, false);
    }

    static Authentication failed(String reason) {
        return new Authentication(Optional.empty(), reason, false);
    }

    /** A token this node holds unrevoked, but it cannot tell whether the cluster revoked it. */
    static Authentication undecided(String reason) {
        return new Authentication(Optional.empty(), reason, true);
    }
}
