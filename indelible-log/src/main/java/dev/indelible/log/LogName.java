package dev.indelible.log;

import java.util.regex.Pattern;

/**
 * A validated log name: {@code [a-z0-9][a-z0-9-]{0,62}}. Names beginning with an underscore are
 * reserved for system logs (such as {@code _access}) and can only be made with {@link #system}.
 */
public record LogName(String value) {
    private static final Pattern USER = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern SYSTEM = Pattern.compile("_[a-z0-9][a-z0-9-]{0,61}");

    /** Validates a name chosen by a client. */
    public LogName {
        if (value == null
                || !(USER.matcher(value).matches() || SYSTEM.matcher(value).matches())) {
            throw new IndelibleException(
                    ErrorCode.INVALID_LOG_NAME, "log name must match [a-z0-9][a-z0-9-]{0,62}, got " + quoted(value));
        }
    }

    /** Parses a name from a client, refusing reserved system names. */
    public static LogName parse(String value) {
        if (value == null || !USER.matcher(value).matches()) {
            throw new IndelibleException(
                    ErrorCode.INVALID_LOG_NAME, "log name must match [a-z0-9][a-z0-9-]{0,62}, got " + quoted(value));
        }
        return new LogName(value);
    }

    /** A reserved system log name such as {@code _access}. */
    public static LogName system(String value) {
        if (!SYSTEM.matcher(value).matches()) {
            throw new IllegalArgumentException("system log names start with '_': " + value);
        }
        return new LogName(value);
    }

    /** Whether this is a reserved system log. */
    public boolean isSystem() {
        return value.startsWith("_");
    }

    @Override
    public String toString() {
        return value;
    }

    private static String quoted(String value) {
        if (value == null) {
            return "nothing";
        }
        String shown = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        return "\"" + shown + "\"";
    }
}
