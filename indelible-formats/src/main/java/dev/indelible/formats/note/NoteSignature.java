package dev.indelible.formats.note;

import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.encoding.StrictBase64;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One signature line of a signed note, {@code — <key name> base64(key ID || signature)}
 * (c2sp.org/signed-note §Signatures), kept exactly as written.
 *
 * @param name the key name
 * @param keyId the 32-bit key ID, the first four decoded bytes (big-endian)
 * @param base64 the canonical base64 of {@code keyId || signature}
 */
public record NoteSignature(String name, int keyId, String base64) {
    /** Validates the name and that {@code base64} is canonical, starts with {@code keyId} and has a signature. */
    public NoteSignature {
        NoteKeys.requireValidName(name);
        byte[] raw = StrictBase64.decode(base64, "signature of " + name);
        if (raw.length < 5) {
            throw new FormatException("signature of " + name + " has " + raw.length + " bytes, want at least 5");
        }
        int written = ByteBuffer.wrap(raw).getInt();
        if (written != keyId) {
            throw new FormatException("signature of " + name + " starts with key ID " + KeyText.hex(written) + ", want "
                    + KeyText.hex(keyId));
        }
    }

    /** A signature line for {@code signature} bytes by the key {@code name}, {@code keyId}. */
    public static NoteSignature of(String name, int keyId, byte[] signature) {
        byte[] raw = ByteBuffer.allocate(4 + signature.length)
                .putInt(keyId)
                .put(signature)
                .array();
        return new NoteSignature(name, keyId, StrictBase64.encode(raw));
    }

    /** The signature bytes after the key ID. */
    public byte[] signature() {
        byte[] raw = StrictBase64.decode(base64, "signature");
        return Arrays.copyOfRange(raw, 4, raw.length);
    }

    /** The line as written in a note: {@code "— " + name + " " + base64 + "\n"}. */
    public String line() {
        return Notes.SIGNATURE_PREFIX + name + " " + base64 + "\n";
    }
}
