package dev.indelible.formats.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hash functions of RFC 9162 §2.1.1 (identical to RFC 6962 §2.1), SHA-256 with domain
 * separation between leaves and interior nodes:
 *
 * <pre>
 *   MTH({})        = SHA-256()
 *   leaf hash      = SHA-256(0x00 || entry)
 *   node hash      = SHA-256(0x01 || left || right)
 * </pre>
 *
 * <p>Thread-safe: each thread reuses its own {@link MessageDigest} (looking one up per hash cost
 * as much as hashing an interior node).
 */
public final class Rfc9162 {
    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(Rfc9162::sha256);

    /** The root of the empty tree: SHA-256 of the empty string. */
    public static final Hash EMPTY_ROOT = Hash.wrap(sha256().digest());

    private Rfc9162() {}

    /** {@code SHA-256(0x00 || entry)}. */
    public static Hash leafHash(byte[] entry) {
        return leafHash(entry, 0, entry.length);
    }

    /** {@code SHA-256(0x00 || entry[offset, offset+length))}. */
    public static Hash leafHash(byte[] entry, int offset, int length) {
        MessageDigest digest = threadDigest();
        digest.update(LEAF_PREFIX);
        digest.update(entry, offset, length);
        return Hash.wrap(digest.digest());
    }

    /** {@code SHA-256(0x01 || left || right)}. */
    public static Hash nodeHash(Hash left, Hash right) {
        MessageDigest digest = threadDigest();
        digest.update(NODE_PREFIX);
        byte[] buffer = new byte[2 * Hash.SIZE];
        left.copyTo(buffer, 0);
        right.copyTo(buffer, Hash.SIZE);
        digest.update(buffer);
        return Hash.wrap(digest.digest());
    }

    /** Plain SHA-256 of {@code data}, as used for large-entry digests. */
    public static Hash sha256(byte[] data) {
        return Hash.wrap(sha256().digest(data));
    }

    /** The largest power of two strictly less than {@code n}; {@code n} must be at least 2. */
    static long splitPoint(long n) {
        if (n < 2) {
            throw new IllegalArgumentException("split of " + n + " leaves");
        }
        return Long.highestOneBit(n - 1);
    }

    /** This thread's digest, reset (a previous call may have thrown between update and digest). */
    private static MessageDigest threadDigest() {
        MessageDigest digest = DIGESTS.get();
        digest.reset();
        return digest;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
