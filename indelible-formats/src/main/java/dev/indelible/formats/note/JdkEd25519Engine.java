package dev.indelible.formats.note;

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
 * Ed25519 by the JDK's built-in {@code "Ed25519"} provider (JEP 339).
 *
 * <p>The JDK has no "public key from seed" call, so {@link #publicKey} runs the JDK key pair
 * generator with a {@link SecureRandom} that yields exactly the seed (the generator draws the
 * 32-byte private key from it, RFC 8032 §5.1.5). The raw public key is the last 32 bytes of the
 * X.509 SubjectPublicKeyInfo encoding (RFC 8410 §4). Thread-safe: no shared mutable state.
 */
final class JdkEd25519Engine implements Ed25519Engine {
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final String ALGORITHM = "Ed25519";

    @Override
    public String name() {
        return "jdk";
    }

    @Override
    public byte[] publicKey(byte[] seed) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new FixedSeedRandom(seed));
            KeyPair pair = generator.generateKeyPair();
            byte[] spki = pair.getPublic().getEncoded();
            if (spki.length != SPKI_PREFIX.length + Ed25519.PUBLIC_KEY_SIZE
                    || !Arrays.equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
                throw new IllegalStateException("unexpected Ed25519 SubjectPublicKeyInfo of " + spki.length + " bytes");
            }
            return Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK must provide Ed25519 (JEP 339)", e);
        }
    }

    @Override
    public byte[] sign(byte[] seed, byte[] message) {
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

    @Override
    public boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        try {
            byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + Ed25519.PUBLIC_KEY_SIZE);
            System.arraycopy(publicKey, 0, spki, SPKI_PREFIX.length, Ed25519.PUBLIC_KEY_SIZE);
            PublicKey key = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(spki));
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false; // an undecodable point or signature is simply an invalid signature
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
