package dev.indelible.formats.note;

/**
 * One trusted public key of a signed note (c2sp.org/signed-note §Signatures), identified by key
 * name and 32-bit key ID.
 *
 * <p>Implementations MUST be thread-safe. Verification throws instead of returning a boolean, so a
 * caller cannot forget to check the result.
 */
public interface NoteVerifier {
    /** The key name that signature lines by this key carry. */
    String name();

    /** The 32-bit key ID that signature lines by this key carry. */
    int keyId();

    /**
     * Checks {@code signature} (without the 4-byte key ID) over {@code text}, the complete note
     * text including its final newline.
     *
     * @throws dev.indelible.formats.merkle.ProofVerificationException if the signature is invalid
     */
    void verify(byte[] text, byte[] signature);

    /**
     * An Ed25519 note verifier (signature type {@code 0x01}) from a verifier key text {@code
     * <name>+<hex key ID>+<base64(0x01 || 32-byte public key)>}, the format of
     * golang.org/x/mod/sumdb/note.
     *
     * @throws dev.indelible.formats.encoding.FormatException if the key text is malformed, of
     *     another signature type, or its key ID does not match
     */
    static NoteVerifier ed25519(String verifierKey) {
        KeyText key = KeyText.parseVerifierKey(verifierKey);
        return Ed25519NoteVerifier.of(key, NoteKeys.ED25519);
    }
}
