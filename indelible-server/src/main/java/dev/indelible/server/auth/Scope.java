package dev.indelible.server.auth;

import dev.indelible.log.LogName;
import java.util.regex.Pattern;

/**
 * One permission: {@code append:<log>}, {@code read:<log>} or {@code admin}. The log may be
 * {@code *}, which matches every <em>user</em> log but never a system log such as {@code _access}:
 * system logs are reachable through {@code admin} only.
 *
 * <p>{@code admin} satisfies every rule: an administrator can mint any token anyway, so hiding
 * reads from it would be theatre; instead every admin action and read is recorded in {@code
 * _access}.
 *
 * @param kind what the scope permits
 * @param log the log name or {@code *}; empty for {@link Kind#ADMIN}
 */
public record Scope(Kind kind, String log) {
    /** A log pattern: a user log name or {@code *}. */
    private static final Pattern LOG = Pattern.compile("\\*|[a-z0-9][a-z0-9-]{0,62}");
    /** The scope {@code admin}. */
    public static final Scope ADMIN = new Scope(Kind.ADMIN, "");

    /** What a scope permits. */
    public enum Kind {
        /** Append to a log. */
        APPEND,
        /** Read entries, ranges, bodies and exports of a log (and its proofs when reads are not public). */
        READ,
        /** Administer tokens and logs; satisfies every rule. */
        ADMIN
    }

    /** Checks the log pattern. */
    public Scope {
        if (kind == Kind.ADMIN ? !log.isEmpty() : !LOG.matcher(log).matches()) {
            throw new IllegalArgumentException("scope " + kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + log
                    + " is invalid; want append:<log>, read:<log> (log a name or *) or admin");
        }
    }

    /**
     * Parses {@code append:<log>}, {@code read:<log>} or {@code admin}.
     *
     * @throws IllegalArgumentException with the offending text
     */
    public static Scope parse(String text) {
        if (text.equals("admin")) {
            return ADMIN;
        }
        int colon = text.indexOf(':');
        if (colon > 0) {
            String kind = text.substring(0, colon);
            String log = text.substring(colon + 1);
            if (kind.equals("append") && LOG.matcher(log).matches()) {
                return new Scope(Kind.APPEND, log);
            }
            if (kind.equals("read") && LOG.matcher(log).matches()) {
                return new Scope(Kind.READ, log);
            }
        }
        String shown = text.length() > 80 ? text.substring(0, 80) + "…" : text;
        throw new IllegalArgumentException(
                "scope \"" + shown + "\" is invalid; want append:<log>, read:<log> (log a name or *) or admin");
    }

    /** Whether this scope grants {@code wanted} on {@code log}. */
    public boolean grants(Kind wanted, LogName target) {
        if (kind == Kind.ADMIN) {
            return true;
        }
        if (kind != wanted || target.isSystem()) {
            return false;
        }
        return log.equals("*") || log.equals(target.value());
    }

    @Override
    public String toString() {
        return kind == Kind.ADMIN ? "admin" : kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + log;
    }
}
