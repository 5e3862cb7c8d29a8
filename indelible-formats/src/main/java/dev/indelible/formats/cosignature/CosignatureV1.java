package dev.indelible.formats.cosignature;

import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.merkle.ProofVerificationException;
import dev.indelible.formats.note.Ed25519;
import dev.indelible.formats.note.KeyText;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteSignature;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.NoteVerifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;

/**
 * Ed25519 {@code cosignature/v1} (c2sp.org/tlog-cosignature §Format, §Ed25519 signed message).
 *
 * <ul>
 *   <li>Key ID: {@code SHA-256(name || "\n" || 0x04 || 32-byte public key)[:4]}.
 *   <li>Signature bytes in the note line: {@code timestamp (u64 big-endian) || Ed25519
 *       signature (64)}, 72 bytes; the timestamp is POSIX seconds and at most 2^63 − 1.
 *   <li>Signed message: {@code "cosignature/v1\n" || "time " <decimal timestamp> "\n" || note
 *       text} (the whole checkpoint text including its final newline, no signature lines).
 * </ul>
 *
 * <p>The signer and verifier are {@link NoteSigner} and {@link NoteVerifier}, so a cosignature is
 * added with {@link dev.indelible.formats.note.Notes#addSignatures} and checked with {@link
 * dev.indelible.formats.note.Notes#open}.
 */
public final class CosignatureV1 {
    /** Bytes of a cosignature: 8-byte timestamp and 64-byte Ed25519 signature. */
    public static final int SIGNATURE_SIZE = 8 + Ed25519.SIGNATURE_SIZE;

    private static final String HEADER = "cosignature/v1\n";

    private CosignatureV1() {}

    /**
     * A cosigner from a signer key text {@code PRIVATE+KEY+<name>+<hex key ID>+<base64(type ||
     * seed)>} whose type is {@code 0x01} (an ordinary note key, as golang.org/x/mod/sumdb/note
     * generates; its key ID is checked as type 0x01) or {@code 0x04}. Timestamps come from {@code
     * clock}, truncated to whole seconds.
     *
     * @throws FormatException if the key text is malformed or its key ID does not match
     */
    public static NoteSigner signer(String signerKey, Clock clock) {
        KeyText key = KeyText.parseSignerKey(signerKey);
        byte type = key.signatureType();
        if (type != NoteKeys.ED25519 && type != NoteKeys.COSIGNATURE_V1) {
            throw new FormatException("cosigner key " + key.name() + " has signature type " + type + ", want 1 or 4");
        }
        byte[] seed = key.keyMaterial();
        if (seed.length != Ed25519.SEED_SIZE) {
            throw new FormatException(
                    "cosigner key " + key.name() + " has a seed of " + seed.length + " bytes, want 32");
        }
        byte[] publicKey = Ed25519.publicKeyFromSeed(seed);
        if (NoteKeys.keyId(key.name(), type, publicKey) != key.keyId()) {
            throw new FormatException("cosigner key " + key.name() + " key ID does not match its key");
        }
        return new Signer(key.name(), NoteKeys.keyId(key.name(), NoteKeys.COSIGNATURE_V1, publicKey), seed, clock);
    }

    /**
     * A cosignature verifier from a verifier key text of type {@code 0x04} (a cosigner "vkey") or
     * of type {@code 0x01} (an ordinary note key, converted as golang's transparency-dev/formats
     * does).
     *
     * @throws FormatException if the key text is malformed or its key ID does not match
     */
    public static NoteVerifier verifier(String verifierKey) {
        KeyText key = KeyText.parseVerifierKey(verifierKey);
        byte type = key.signatureType();
        byte[] publicKey = key.keyMaterial();
        if ((type != NoteKeys.ED25519 && type != NoteKeys.COSIGNATURE_V1)
                || publicKey.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new FormatException("cosigner key " + key.name() + " has type " + type + " and " + publicKey.length
                    + " key bytes, want type 1 or 4 and 32 bytes");
        }
        return new Verifier(key.name(), NoteKeys.keyId(key.name(), NoteKeys.COSIGNATURE_V1, publicKey), publicKey);
    }

    /** The type-0x04 verifier key text of a cosigner's 32-byte Ed25519 {@code publicKey}. */
    public static String verifierKey(String name, byte[] publicKey) {
        if (publicKey.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("Ed25519 public key of " + publicKey.length + " bytes, want 32");
        }
        int id = NoteKeys.keyId(name, NoteKeys.COSIGNATURE_V1, publicKey);
        return new KeyText(name, id, NoteKeys.COSIGNATURE_V1, publicKey).verifierKeyText();
    }

    /** The message a cosigner signs for note {@code text} at {@code timestamp}. */
    public static byte[] signedMessage(String text, long timestamp) {
        return signedMessage(text.getBytes(StandardCharsets.UTF_8), timestamp);
    }

    private static byte[] signedMessage(byte[] text, long timestamp) {
        requireTimestamp(timestamp);
        byte[] header = (HEADER + "time " + timestamp + "\n").getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(header.length + text.length)
                .put(header)
                .put(text)
                .array();
    }

    /**
     * The timestamp of a cosignature line. It is not authenticated until the line is verified.
     *
     * @throws FormatException if the signature is not 72 bytes or the timestamp exceeds 2^63 − 1
     */
    public static long timestamp(NoteSignature signature) {
        return timestamp(signature.signature());
    }

    private static long timestamp(byte[] signature) {
        if (signature.length != SIGNATURE_SIZE) {
            throw new FormatException("cosignature has " + signature.length + " bytes, want " + SIGNATURE_SIZE);
        }
        long timestamp = ByteBuffer.wrap(signature).getLong();
        if (timestamp < 0) {
            throw new FormatException("cosignature timestamp " + Long.toUnsignedString(timestamp) + " exceeds 2^63-1");
        }
        return timestamp;
    }

    private static void requireTimestamp(long timestamp) {
        if (timestamp < 0) {
            throw new IllegalArgumentException("cosignature timestamp " + timestamp + " is negative");
        }
    }

    private record Signer(String name, int keyId, byte[] seed, Clock clock) implements NoteSigner {
        @Override
        public byte[] sign(byte[] text) {
            long timestamp = clock.instant().getEpochSecond();
            byte[] message = signedMessage(text, timestamp);
            return ByteBuffer.allocate(SIGNATURE_SIZE)
                    .putLong(timestamp)
                    .put(Ed25519.sign(seed, message))
                    .array();
        }

        @Override
        public String toString() {
            return "CosignatureV1.Signer[" + name + "+" + String.format("%08x", keyId) + "]";
        }
    }

    private record Verifier(String name, int keyId, byte[] publicKey) implements NoteVerifier {
        @Override
        public void verify(byte[] text, byte[] signature) {
            long timestamp;
            try {
                timestamp = timestamp(signature);
            } catch (FormatException e) {
                throw new ProofVerificationException(e.getMessage());
            }
            byte[] ed25519 = Arrays.copyOfRange(signature, 8, SIGNATURE_SIZE);
            Ed25519.verify(publicKey, signedMessage(text, timestamp), ed25519);
        }

        @Override
        public String toString() {
            return "CosignatureV1.Verifier[" + name + "+" + String.format("%08x", keyId) + "]";
        }
    }
}
