package dev.indelible.formats.note;

import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.encoding.StrictBase64;
import java.util.Arrays;

/**
 * A parsed key text: verifier keys {@code <name>+<hex key ID>+<base64(type || key)>} and signer
 * keys {@code PRIVATE+KEY+<name>+<hex key ID>+<base64(type || key)>}, as golang.org/x/mod/sumdb/note
 * writes them. The key ID must be exactly eight lower-case hex digits; base64 must be canonical.
 *
 * @param name the key name
 * @param keyId the 32-bit key ID as written
 * @param signatureType the first decoded byte (0x01 Ed25519, 0x04 cosignature/v1, …)
 * @param keyMaterial the decoded bytes after the type byte (a copy)
 */
public record KeyText(String name, int keyId, byte signatureType, byte[] keyMaterial) {
    /** Longest key text accepted, in characters; ML-DSA-44 public keys are about 1.8 k. */
    public static final int MAX_KEY_TEXT_CHARS = 8192;

    private static final String PRIVATE_PREFIX = "PRIVATE+KEY+";

    /** Copies the key material and validates the name. */
    public KeyText {
        NoteKeys.requireValidName(name);
        keyMaterial = keyMaterial.clone();
    }

    @Override
    public byte[] keyMaterial() {
        return keyMaterial.clone();
    }

    /**
     * Parses a verifier key text and checks that its key ID equals {@code SHA-256(name || 0x0A ||
     * type || key)[:4]} (c2sp.org/signed-note §Signatures).
     *
     * @throws FormatException if the text is malformed or the key ID does not match
     */
    public static KeyText parseVerifierKey(String text) {
        KeyText key = parse(text, "verifier key");
        int want = NoteKeys.keyId(key.name, key.signatureType, key.keyMaterial);
        if (want != key.keyId) {
            throw new FormatException("verifier key " + key.name + " has key ID " + hex(key.keyId)
                    + ", but its key derives " + hex(want));
        }
        return key;
    }

    /**
     * Parses a signer key text; the key ID is checked by the signer, which derives the public key.
     *
     * @throws FormatException if the text is malformed
     */
    public static KeyText parseSignerKey(String text) {
        if (!text.startsWith(PRIVATE_PREFIX)) {
            throw new FormatException("signer key does not start with " + PRIVATE_PREFIX);
        }
        return parse(text.substring(PRIVATE_PREFIX.length()), "signer key");
    }

    /** The verifier key text {@code <name>+<hex key ID>+<base64(type || key)>}. */
    public String verifierKeyText() {
        return name + "+" + hex(keyId) + "+" + StrictBase64.encode(typedKey());
    }

    /** The signer key text {@code PRIVATE+KEY+<name>+<hex key ID>+<base64(type || key)>}. */
    public String signerKeyText() {
        return PRIVATE_PREFIX + verifierKeyText();
    }

    private byte[] typedKey() {
        byte[] typed = new byte[keyMaterial.length + 1];
        typed[0] = signatureType;
        System.arraycopy(keyMaterial, 0, typed, 1, keyMaterial.length);
        return typed;
    }

    private static KeyText parse(String text, String what) {
        if (text.length() > MAX_KEY_TEXT_CHARS) {
            throw new FormatException(what + " of " + text.length() + " characters exceeds " + MAX_KEY_TEXT_CHARS);
        }
        int first = text.indexOf('+');
        int second = first < 0 ? -1 : text.indexOf('+', first + 1);
        if (first < 0 || second < 0) {
            throw new FormatException(what + " needs the form <name>+<key ID>+<key>");
        }
        String name = text.substring(0, first);
        String id = text.substring(first + 1, second);
        NoteKeys.requireValidName(name);
        if (id.length() != 8 || !id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new FormatException(what + " key ID must be 8 lower-case hex digits, got \"" + id + "\"");
        }
        byte[] typed = StrictBase64.decode(text.substring(second + 1), what + " key");
        if (typed.length < 2) {
            throw new FormatException(what + " key of " + typed.length + " bytes is too short");
        }
        return new KeyText(
                name, Integer.parseUnsignedInt(id, 16), typed[0], Arrays.copyOfRange(typed, 1, typed.length));
    }

    static String hex(int keyId) {
        return String.format("%08x", keyId);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KeyText k
                && name.equals(k.name)
                && keyId == k.keyId
                && signatureType == k.signatureType
                && Arrays.equals(keyMaterial, k.keyMaterial);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + keyId;
    }

    @Override
    public String toString() {
        return "KeyText[" + name + "+" + hex(keyId) + ", type " + signatureType + "]";
    }
}
