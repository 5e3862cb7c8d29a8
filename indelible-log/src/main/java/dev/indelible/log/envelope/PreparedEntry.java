package dev.indelible.log.envelope;

import dev.indelible.formats.merkle.Hash;
import java.util.Optional;

/**
 * The bytes to append for one event: the leaf entry, and for a large event the body stored beside
 * it.
 *
 * <p>The record owns its arrays: callers MUST NOT mutate them.
 *
 * @param leafBytes the entry committed by the Merkle tree: leaf hash = SHA-256(0x00 ‖ leafBytes),
 *     at most {@link EnvelopeWriter#ENTRY_MAX_BYTES}
 * @param detachedBody present when the event was too large to embed: its canonical bytes, which
 *     the leaf commits to by digest
 * @param clientId the event's top-level string {@code "id"}, if any (see {@link ParsedEvent})
 */
public record PreparedEntry(byte[] leafBytes, Optional<DetachedBody> detachedBody, Optional<String> clientId) {

    /**
     * An event's canonical bytes stored outside its leaf.
     *
     * @param sha256 SHA-256 of {@code bytes}, as named in the leaf's {@code "eventDigest"}
     * @param bytes the canonical event; its length is the leaf's {@code "eventSize"}
     */
    public record DetachedBody(Hash sha256, byte[] bytes) {}
}
