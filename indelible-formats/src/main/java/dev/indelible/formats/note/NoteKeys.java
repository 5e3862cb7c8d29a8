package dev.indelible.formats.note;

import dev.indelible.formats.encoding.FormatException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Key names, key IDs and Ed25519 key generation for signed notes (c2sp.org/signed-note
 * §Signatures, §Ed25519 signatures).
 *
 * <pre>
 *   key ID = SHA-256(key name || 0x0A || signature type || public key)[:4]   (big-endian uint32)
 * </pre>
 */
public final class NoteKeys {
    /** Signature type of Ed25519 note signatures. */
    public static final byte ED25519 = 0x01;
    /** Signature type of timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature). */
    public static final byte COSIGNATURE_V1 = 0x04;

    private NoteKeys() {}

    /** A key pair as texts: the signer key to keep secret, and the verifier key to publish. */
    public record KeyPairText(String signerKey, String verifierKey) {
        @Override
        public String toString() {
            return "KeyPairText[verifierKey=" + verifierKey + ", signerKey=(secret)]";
        }
    }

    /**
     * The key ID of {@code publicKey} under {@code name} for {@code signatureType}.
     *
     * @throws FormatException if the name is invalid
     */
    public static int keyId(String name, byte signatureType, byte[] publicKey) {
        requireValidName(name);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            sha.update(signatureType);
            sha.update(publicKey);
            byte[] digest = sha.digest();
            return ((digest[0] & 0xff) << 24)
                    | ((digest[1] & 0xff) << 16)
                    | ((digest[2] & 0xff) << 8)
                    | (digest[3] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    /**
     * Checks a key name: non-empty, no Unicode spaces, no {@code +} (c2sp.org/signed-note §Format),
     * and — because a note may not contain them — no control characters or unpaired surrogates.
     *
     * @throws FormatException naming the offending character
     */
    public static void requireValidName(String name) {
        if (name.isEmpty()) {
            throw new FormatException("key name is empty");
        }
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            if (c == '+'
                    || c < 0x20
                    || c == 0x7f
                    || c == 0x85
                    || Character.isWhitespace(c)
                    || Character.isSpaceChar(c)
                    || Character.getType(c) == Character.SURROGATE) {
                throw new FormatException(
                        String.format("key name \"%s\" has forbidden character U+%04X at %d", name, c, i));
            }
            i += Character.charCount(c);
        }
    }

    /** Generates an Ed25519 note key pair named {@code name} from {@code random}. */
    public static KeyPairText generateEd25519(String name, SecureRandom random) {
        return ed25519FromSeed(name, Ed25519.generateSeed(random));
    }

    /** The Ed25519 note key pair with the given 32-byte {@code seed}. */
    public static KeyPairText ed25519FromSeed(String name, byte[] seed) {
        byte[] publicKey = Ed25519.publicKeyFromSeed(seed);
        int id = keyId(name, ED25519, publicKey);
        return new KeyPairText(
                new KeyText(name, id, ED25519, seed).signerKeyText(),
                new KeyText(name, id, ED25519, publicKey).verifierKeyText());
    }

    /** The verifier key text of an Ed25519 {@code publicKey} named {@code name}. */
    public static String ed25519VerifierKey(String name, byte[] publicKey) {
        Ed25519.requireLength(publicKey, Ed25519.PUBLIC_KEY_SIZE, "Ed25519 public key");
        return new KeyText(name, keyId(name, ED25519, publicKey), ED25519, publicKey).verifierKeyText();
    }
}
