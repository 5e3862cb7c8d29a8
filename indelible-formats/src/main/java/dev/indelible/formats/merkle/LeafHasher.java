package dev.indelible.formats.merkle;

import java.security.MessageDigest;

/**
 * RFC 9162 §2.1.1 leaf hashes, {@code SHA-256(0x00 || entry)}, with one reusable {@link
 * MessageDigest}: for hashing many leaves in a loop without a provider lookup per leaf. The
 * results are exactly those of {@link Rfc9162#leafHash(byte[])}.
 *
 * <p>NOT thread-safe: use one per thread, request or loop.
 */
public final class LeafHasher {
    private static final byte LEAF_PREFIX = 0x00;

    private final MessageDigest digest = Rfc9162.sha256();

    /** A hasher with its own SHA-256 instance. */
    public LeafHasher() {}

    /** {@code SHA-256(0x00 || entry)}. */
    public Hash leafHash(byte[] entry) {
        return leafHash(entry, 0, entry.length);
    }

    /** {@code SHA-256(0x00 || entry[offset, offset+length))}. */
    public Hash leafHash(byte[] entry, int offset, int length) {
        // digest() resets the instance; reset() first in case an earlier update threw mid-way.
        digest.reset();
        digest.update(LEAF_PREFIX);
        digest.update(entry, offset, length);
        return Hash.wrap(digest.digest());
    }
}
