package dev.indelible.log.envelope;

import java.util.regex.Pattern;

/**
 * Where the server received an event from, as recorded in the envelope's {@code "source"} member:
 * {@code {"address":"127.0.0.1","type":"http"}}.
 *
 * <p>Both values are bounded so that the envelope's size without its event has a fixed maximum
 * ({@link EnvelopeWriter#SOURCE_MAX_BYTES}); they are set by the server, never by the client, so
 * a violation is a bug.
 *
 * @param type the ingestion channel: 1 to {@value #TYPE_MAX_CHARS} characters of {@code [a-z0-9-]}
 *     starting with a letter, for example {@code http} or {@code syslog}
 * @param address the peer's address as text (an IP address, optionally with a port, or a
 *     transport-specific name): 1 to {@value #ADDRESS_MAX_CHARS} printable ASCII characters
 */
public record Source(String type, String address) {
    /** Longest {@link #type}. */
    public static final int TYPE_MAX_CHARS = 32;
    /** Precompiled: {@code type} is checked on every request. */
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]{0," + (TYPE_MAX_CHARS - 1) + "}");
    /** Longest {@link #address}. */
    public static final int ADDRESS_MAX_CHARS = 200;

    /**
     * Checks both values.
     *
     * @throws IllegalArgumentException if a value is empty, too long or has a character outside
     *     its alphabet
     */
    public Source {
        if (!TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("source type \"" + type + "\", want [a-z][a-z0-9-]{0,31}");
        }
        if (address.isEmpty() || address.length() > ADDRESS_MAX_CHARS) {
            throw new IllegalArgumentException(
                    "source address of " + address.length() + " chars, want 1 to " + ADDRESS_MAX_CHARS);
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException(
                        String.format("source address has U+%04X at %d, want printable ASCII", (int) c, i));
            }
        }
    }

    /** An HTTP client at {@code address}. */
    public static Source http(String address) {
        return new Source("http", address);
    }
}
