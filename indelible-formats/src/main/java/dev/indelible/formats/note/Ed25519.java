package dev.indelible.formats.note;

import dev.indelible.formats.merkle.ProofVerificationException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.ServiceLoader;

/**
 * Ed25519 (RFC 8032 §5.1) over raw 32-byte seeds and public keys. Signing is deterministic, so a
 * given seed and message always produce the same 64 bytes — which is what lets our notes be
 * compared byte for byte with other implementations.
 *
 * <p>The arithmetic is an {@link Ed25519Engine}: the first one {@link ServiceLoader} finds on the
 * class path, else the JDK's provider. The server ships a faster one (the JDK's decodes points
 * with {@code BigInteger} arithmetic, ≈ 0.7 ms per signature or verification on a small machine,
 * and the cluster verifies cosignatures on its Raft apply thread); a client or verifier that
 * embeds this module gets the JDK's. The system property {@value #ENGINE_PROPERTY}{@code =jdk}
 * chooses the JDK's even where another is present (for comparisons). Thread-safe.
 */
public final class Ed25519 {
    /** Bytes in a private key seed. */
    public static final int SEED_SIZE = 32;
    /** Bytes in an encoded public key. */
    public static final int PUBLIC_KEY_SIZE = 32;
    /** Bytes in a signature. */
    public static final int SIGNATURE_SIZE = 64;
    /** System property naming the engine to use when several are present: {@code jdk} for the JDK's. */
    public static final String ENGINE_PROPERTY = "indelible.ed25519";

    private static final Ed25519Engine ENGINE = chooseEngine();

    private Ed25519() {}

    private static Ed25519Engine chooseEngine() {
        Ed25519Engine jdk = new JdkEd25519Engine();
        String wanted = System.getProperty(ENGINE_PROPERTY);
        if (jdk.name().equals(wanted)) {
            return jdk;
        }
        for (Ed25519Engine engine : ServiceLoader.load(Ed25519Engine.class, Ed25519.class.getClassLoader())) {
            if (wanted == null || engine.name().equals(wanted)) {
                return engine;
            }
        }
        if (wanted != null) {
            throw new IllegalStateException("no Ed25519 engine named \"" + wanted + "\" (system property "
                    + ENGINE_PROPERTY + "); \"jdk\" is always present");
        }
        return jdk;
    }

    /** The name of the engine in use, such as {@code "jdk"}. */
    public static String engine() {
        return ENGINE.name();
    }

    /** A fresh random 32-byte seed from {@code random}. */
    public static byte[] generateSeed(SecureRandom random) {
        byte[] seed = new byte[SEED_SIZE];
        random.nextBytes(seed);
        return seed;
    }

    /**
     * The 32-byte public key of {@code seed} (RFC 8032 §5.1.5).
     *
     * @throws IllegalArgumentException if the seed is not 32 bytes
     */
    public static byte[] publicKeyFromSeed(byte[] seed) {
        requireLength(seed, SEED_SIZE, "Ed25519 seed");
        return checkedLength(ENGINE.publicKey(seed), PUBLIC_KEY_SIZE, "public key");
    }

    /** The 64-byte Ed25519 signature of {@code message} by the key with {@code seed}. */
    public static byte[] sign(byte[] seed, byte[] message) {
        requireLength(seed, SEED_SIZE, "Ed25519 seed");
        return checkedLength(ENGINE.sign(seed, message), SIGNATURE_SIZE, "signature");
    }

    /**
     * Checks that {@code signature} is a valid Ed25519 signature of {@code message} by {@code
     * publicKey}.
     *
     * @throws ProofVerificationException if it is not (including a malformed key or signature)
     */
    public static void verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey.length != PUBLIC_KEY_SIZE || signature.length != SIGNATURE_SIZE) {
            throw new ProofVerificationException("Ed25519 public key of " + publicKey.length
                    + " bytes and signature of " + signature.length + " bytes, want 32 and 64");
        }
        if (!ENGINE.verify(publicKey, message, signature)) {
            throw new ProofVerificationException("Ed25519 signature "
                    + HexFormat.of().formatHex(signature, 0, 8) + "… does not verify under public key "
                    + HexFormat.of().formatHex(publicKey));
        }
    }

    private static byte[] checkedLength(byte[] bytes, int want, String what) {
        if (bytes.length != want) {
            throw new IllegalStateException(
                    "Ed25519 engine " + ENGINE.name() + " made a " + what + " of " + bytes.length + " bytes");
        }
        return bytes;
    }

    static void requireLength(byte[] bytes, int want, String what) {
        if (bytes.length != want) {
            throw new IllegalArgumentException(what + " of " + bytes.length + " bytes, want " + want);
        }
    }
}
