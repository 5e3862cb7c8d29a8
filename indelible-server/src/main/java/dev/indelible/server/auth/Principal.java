package dev.indelible.server.auth;

import dev.indelible.log.LogName;
import java.util.Set;

/**
 * Who sent a request, as established by a token, a JWT or a client certificate, and what it may
 * do. Never carries the credential itself.
 *
 * @param name a stable, printable name recorded in {@code _access}: {@code token:<name>}, {@code
 *     oidc:<subject>}, {@code cert:<subject DN>} or {@code anonymous}
 * @param scopes what the principal may do
 */
public record Principal(String name, Set<Scope> scopes) {
    /** A request without a credential. */
    public static final Principal ANONYMOUS = new Principal("anonymous", Set.of());
    /** Every request when access control is off ({@code --auth off}). */
    public static final Principal UNCHECKED = new Principal("unchecked", Set.of(Scope.ADMIN));

    /** Copies the scopes. */
    public Principal {
        scopes = Set.copyOf(scopes);
    }

    /** Whether a credential established this principal. */
    public boolean authenticated() {
        return this != ANONYMOUS && this != UNCHECKED;
    }

    /** Whether some scope grants {@code kind} on {@code log}. */
    public boolean may(Scope.Kind kind, LogName log) {
        for (Scope scope : scopes) {
            if (scope.grants(kind, log)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the principal holds {@code admin}. */
    public boolean isAdmin() {
        return scopes.contains(Scope.ADMIN);
    }
}
