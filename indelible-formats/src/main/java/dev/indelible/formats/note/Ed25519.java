package dev.indelible.formats.note;

import dev.indelible.formats.merkle.ProofVerificationException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Ed25519 (RFC 8032 §5.1) over raw 32-byte seeds and public keys, using only the JDK's built-in
 * {@code "Ed25519"} provider. Signing is deterministic, so a given seed and message always produce
 * the same 64 bytes — which is what lets our notes be compared byte for byte with other
 * implementations.
 *
 * <p>The JDK has no "public key from seed" call, so {@link #publicKeyFromSeed} runs the JDK key
 * pair generator with a {@link SecureRandom} that yields exactly the seed (the generator draws the
 * 32-byte private key from it, RFC 8032 §5.1.5). The raw public key is the last 32 bytes of the
 * X.509 SubjectPublicKeyInfo encoding (RFC 8410 §4). Thread-safe: no shared mutable state.
 */
public final class Ed25519 {
    /** Bytes in a private key seed. */
    public static final int SEED_SIZE = 32;
    /** Bytes in an encoded public key. */
    public static final int PUBLIC_KEY_SIZE = 32;
    /** Bytes in a signature. */
    public static final int SIGNATURE_SIZE = 64;

    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final String ALGORITHM = "Ed25519";

    private Ed25519() {}

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
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new FixedSeedRandom(seed));
            KeyPair pair = generator.generateKeyPair();
            byte[] spki = pair.getPublic().getEncoded();
            if (spki.length != SPKI_PREFIX.length + PUBLIC_KEY_SIZE
                    || !Arrays.equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
                throw new IllegalStateException("unexpected Ed25519 SubjectPublicKeyInfo of " + spki.length + " bytes");
            }
            return Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK must provide Ed25519 (JEP 339)", e);
        }
    }

    /** The 64-byte Ed25519 signature of {@code message} by the key with {@code seed}. */
    public static byte[] sign(byte[] seed, byte[] message) {
        requireLength(seed, SEED_SIZE, "Ed25519 seed");
        try {
            PrivateKey key = KeyFactory.getInstance(ALGORITHM)
                    .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK must provide Ed25519 (JEP 339)", e);
        }
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
        boolean valid;
        try {
            byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + PUBLIC_KEY_SIZE);
            System.arraycopy(publicKey, 0, spki, SPKI_PREFIX.length, PUBLIC_KEY_SIZE);
            PublicKey key = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(spki));
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message);
            valid = verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // An undecodable point or signature is simply an invalid signature.
            valid = false;
        }
        if (!valid) {
            throw new ProofVerificationException("Ed25519 signature "
                    + HexFormat.of().formatHex(signature, 0, 8) + "… does not verify under public key "
                    + HexFormat.of().formatHex(publicKey));
        }
    }

    static void requireLength(byte[] bytes, int want, String what) {
        if (bytes.length != want) {
            throw new IllegalArgumentException(what + " of " + bytes.length + " bytes, want " + want);
        }
    }

    /** Yields the seed to the JDK key pair generator, once; anything else is a programming error. */
    private static final class FixedSeedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;
        private boolean used;

        FixedSeedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public synchronized void nextBytes(byte[] bytes) {
            if (used || bytes.length != seed.length) {
                throw new IllegalStateException("Ed25519 key generation asked for " + bytes.length + " random bytes"
                        + (used ? " twice" : "") + ", want one draw of " + seed.length);
            }
            used = true;
            System.arraycopy(seed, 0, bytes, 0, seed.length);
        }
    }
}
