package dev.indelible.formats.encoding;

import java.util.Base64;

/**
 * Standard base64 with padding (RFC 4648 §4), decoded strictly: the input must be exactly the
 * encoding {@link Base64#getEncoder()} produces for the decoded bytes. This rejects what the JDK's
 * decoder tolerates — missing padding and non-zero trailing bits — so every value has one spelling.
 */
public final class StrictBase64 {
    private StrictBase64() {}

    /**
     * Decodes {@code text}, which must be canonical standard base64 with padding.
     *
     * @param what names the field in the error message, e.g. {@code "root hash"}
     * @throws FormatException if the text is not canonical base64
     */
    public static byte[] decode(String text, String what) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new FormatException(what + " is not base64: " + quote(text));
        }
        if (!Base64.getEncoder().encodeToString(bytes).equals(text)) {
            throw new FormatException(what + " is not canonical padded base64: " + quote(text));
        }
        return bytes;
    }

    /** Standard base64 with padding. */
    public static String encode(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static String quote(String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "…" : text;
        return "\"" + shown + "\"";
    }
}
