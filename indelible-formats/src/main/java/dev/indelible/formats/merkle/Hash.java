package dev.indelible.formats.merkle;

import dev.indelible.formats.encoding.StrictBase64;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A SHA-256 digest: 32 immutable bytes. Used for leaf hashes, interior node hashes and root hashes.
 *
 * <p>Equality is by content. The array handed in is copied, and {@link #bytes()} returns a copy,
 * so a {@code Hash} can never change after construction.
 */
public final class Hash {
    /** Size of a SHA-256 digest in bytes. */
    public static final int SIZE = 32;

    private final byte[] bytes;

    private Hash(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Wraps a copy of {@code bytes}.
     *
     * @throws IllegalArgumentException if {@code bytes} is not 32 bytes long
     */
    public static Hash of(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("hash length " + bytes.length + ", want " + SIZE);
        }
        return new Hash(bytes.clone());
    }

    /** Reads 32 bytes from {@code buffer} at {@code offset}. */
    public static Hash of(byte[] buffer, int offset) {
        if (offset < 0 || offset + SIZE > buffer.length) {
            throw new IllegalArgumentException("hash at offset " + offset + " overruns buffer of " + buffer.length);
        }
        return new Hash(Arrays.copyOfRange(buffer, offset, offset + SIZE));
    }

    /** Takes ownership of an array the caller will never touch again (a fresh digest). */
    static Hash wrap(byte[] fresh) {
        return new Hash(fresh);
    }

    /**
     * Parses standard base64 (RFC 4648 §4, with padding), the encoding used in checkpoints and
     * JSON proofs.
     *
     * <p>Strict: missing padding and non-zero trailing bits, which the JDK decoder tolerates, are
     * rejected, so that every hash has exactly one base64 spelling.
     *
     * @throws IllegalArgumentException if the text is not canonical base64 of exactly 32 bytes
     */
    public static Hash fromBase64(String text) {
        return of(StrictBase64.decode(text, "hash"));
    }

    /** Parses lower- or upper-case hex. */
    public static Hash fromHex(String text) {
        return of(HexFormat.of().parseHex(text));
    }

    /** A copy of the 32 bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Copies the 32 bytes into {@code target} at {@code offset}. */
    public void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, SIZE);
    }

    /** Standard base64 with padding. */
    public String base64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Lower-case hex. */
    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Hash h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
