package dev.indelible.formats.note;

/**
 * One signing key of a signed note (c2sp.org/signed-note §Signatures): a key name, a 32-bit key ID
 * and a signature algorithm over the note text.
 *
 * <p>Implementations MUST be thread-safe and MUST return the same {@link #name()} and {@link
 * #keyId()} for their whole life. Two implementations exist: Ed25519 note signatures ({@link
 * #ed25519(String)}) and Ed25519 {@code cosignature/v1} cosignatures ({@code
 * dev.indelible.formats.cosignature.CosignatureV1}).
 */
public interface NoteSigner {
    /** The key name written in the signature line; valid per {@link NoteKeys#requireValidName}. */
    String name();

    /** The 32-bit key ID written (big-endian) before the signature bytes. */
    int keyId();

    /**
     * The signature bytes (without the key ID) over {@code text}, the complete note text including
     * its final newline.
     */
    byte[] sign(byte[] text);

    /**
     * An Ed25519 note signer (signature type {@code 0x01}) from a signer key text {@code
     * PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>}, the format of
     * golang.org/x/mod/sumdb/note.
     *
     * @throws dev.indelible.formats.encoding.FormatException if the key text is malformed or its
     *     key ID does not match the derived public key
     */
    static NoteSigner ed25519(String signerKey) {
        return Ed25519NoteSigner.parse(signerKey);
    }
}
