package dev.indelible.server.auth;

import java.util.Optional;

/**
 * The outcome of checking one credential: a principal, or a reason it was refused. The reason goes
 * to {@code _access} (readable by admins only) and never to the client, which learns only "401".
 */
record Authentication(Optional<Principal> principal, String reason) {
    static Authentication of(Principal principal, String reason) {
        return new Authentication(Optional.of(principal), reason);
    }

    static Authentication failed(String reason) {
        return new Authentication(Optional.empty(), reason);
    }
}
