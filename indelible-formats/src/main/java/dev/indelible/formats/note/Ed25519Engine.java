package dev.indelible.formats.note;

/**
 * The Ed25519 arithmetic behind {@link Ed25519}, found with {@link java.util.ServiceLoader} so that
 * a server can use a faster implementation than the JDK's while this module depends on the JDK
 * only. Without one on the class path (a client, a verifier tool), {@link Ed25519} uses the JDK's
 * {@code "Ed25519"} provider.
 *
 * <p>An implementation must follow RFC 8032 §5.1: the same public keys and signatures as any other,
 * byte for byte (signing is deterministic), and verification at least as strict as §5.1.7. It must
 * be thread-safe and have a public no-argument constructor.
 */
public interface Ed25519Engine {
    /** A short name for logs and benchmarks, such as {@code "jdk"}. */
    String name();

    /** The 32-byte public key of a 32-byte {@code seed} (RFC 8032 §5.1.5). */
    byte[] publicKey(byte[] seed);

    /** The 64-byte signature of {@code message} by the key with the 32-byte {@code seed}. */
    byte[] sign(byte[] seed, byte[] message);

    /**
     * Whether {@code signature} (64 bytes) is a valid signature of {@code message} by {@code
     * publicKey} (32 bytes); false, never an exception, for an undecodable key or signature.
     */
    boolean verify(byte[] publicKey, byte[] message, byte[] signature);
}
