package dev.indelible.formats.merkle;

/**
 * Where a proof builder reads the hashes of complete (perfect) subtrees from.
 *
 * <p>A node at {@code level} L and {@code index} i is the root of the perfect subtree covering
 * leaves {@code [i * 2^L, (i + 1) * 2^L)}; level 0 holds the leaf hashes. Implementations MUST only
 * be asked for subtrees that are complete in the tree the caller reasons about, and MUST return the
 * same hash every time they are asked (the tree is append-only).
 */
@FunctionalInterface
public interface NodeSource {
    /**
     * The hash of the complete subtree at {@code level}, {@code index}.
     *
     * @throws java.io.UncheckedIOException if the backing storage cannot be read
     */
    Hash node(int level, long index);
}
