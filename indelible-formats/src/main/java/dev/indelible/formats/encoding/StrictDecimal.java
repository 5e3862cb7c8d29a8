package dev.indelible.formats.encoding;

/**
 * Non-negative ASCII decimals with no leading zeroes (unless the value is {@code 0}), as the C2SP
 * formats write tree sizes, leaf indexes, tile levels and timestamps. Signs, spaces, non-ASCII
 * digits and values above {@link Long#MAX_VALUE} are rejected.
 */
public final class StrictDecimal {
    private static final int MAX_DIGITS = 19;

    private StrictDecimal() {}

    /**
     * Parses {@code text} as a canonical non-negative decimal.
     *
     * @param what names the field in the error message, e.g. {@code "tree size"}
     * @throws FormatException if the text is not canonical or exceeds {@link Long#MAX_VALUE}
     */
    public static long parse(String text, String what) {
        int length = text.length();
        if (length == 0 || length > MAX_DIGITS) {
            throw new FormatException(
                    what + " must be 1 to " + MAX_DIGITS + " decimal digits, got " + StrictBase64.quote(text));
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new FormatException(what + " has non-digit at position " + i + ": " + StrictBase64.quote(text));
            }
        }
        if (length > 1 && text.charAt(0) == '0') {
            throw new FormatException(what + " has a leading zero: " + StrictBase64.quote(text));
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new FormatException(what + " exceeds " + Long.MAX_VALUE + ": " + StrictBase64.quote(text));
        }
    }
}
