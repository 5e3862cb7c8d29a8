package dev.indelible.replication;

import dev.indelible.formats.note.Ed25519Engine;

/**
 * Ed25519 by BouncyCastle's RFC 8032 code ({@code org.bouncycastle.math.ec.rfc8032.Ed25519}),
 * registered as the server's {@link Ed25519Engine}: fixed-width field arithmetic and precomputed
 * base-point tables, on raw seeds and keys: about 8–10× faster than the JDK's provider on this
 * project's 2-core machine (docs/BENCHMARKS.md, session 17), and every replica verifies each
 * cosignature on its Raft apply thread.
 *
 * <p>Public keys and signatures are the same bytes as the JDK's (RFC 8032 signing is
 * deterministic; {@code BouncyCastleEd25519Test} compares them). Verification is stricter in one
 * respect: a public key of small order is refused, which the JDK accepts (no key made from a seed
 * has small order). Every replica of a cluster runs the same engine, so they decide alike.
 */
public final class BouncyCastleEd25519 implements Ed25519Engine {
    /** The engine; {@link java.util.ServiceLoader} calls this. */
    public BouncyCastleEd25519() {
        org.bouncycastle.math.ec.rfc8032.Ed25519.precompute();
    }

    @Override
    public String name() {
        return "bouncycastle";
    }

    @Override
    public byte[] publicKey(byte[] seed) {
        byte[] publicKey = new byte[org.bouncycastle.math.ec.rfc8032.Ed25519.PUBLIC_KEY_SIZE];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, publicKey, 0);
        return publicKey;
    }

    @Override
    public byte[] sign(byte[] seed, byte[] message) {
        byte[] signature = new byte[org.bouncycastle.math.ec.rfc8032.Ed25519.SIGNATURE_SIZE];
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, message, 0, message.length, signature, 0);
        return signature;
    }

    @Override
    public boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        try {
            return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
                    signature, 0, publicKey, 0, message, 0, message.length);
        } catch (RuntimeException e) {
            return false; // an input BouncyCastle cannot decode is simply an invalid signature
        }
    }
}
