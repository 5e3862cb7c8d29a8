package dev.indelible.storage.blob;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.storage.CorruptionException;
import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Event bodies too large for a leaf, stored by content: {@code <dir>/<first 2 hex>/<sha256 hex>},
 * the file holding exactly the body bytes. The leaf then carries the SHA-256 digest, so the tree
 * commits to the body without holding it.
 *
 * <p><b>Durability.</b> {@link #put} MUST NOT return before the body is durable under its final
 * name (temp file, fsync, atomic rename, directory fsync). A crash leaves either no blob or the
 * whole blob, never a partial one under the final name.
 *
 * <p><b>Integrity.</b> {@link #get} MUST verify the digest and MUST NOT return bytes that do not
 * match it.
 *
 * <p><b>Threads.</b> Every method MAY be called from any number of threads.
 */
public interface BlobStore extends AutoCloseable {
    /** The largest body accepted: 16 MiB. */
    int BODY_MAX_BYTES = 16 << 20;

    /** Opens (creating if missing) the store in {@code directory}. */
    static BlobStore open(Path directory, FileIO io) throws IOException {
        return FileBlobStore.open(directory, io);
    }

    /**
     * Stores {@code body} durably and returns its SHA-256 digest; storing the same body again is a
     * no-op that returns the same digest.
     *
     * @throws IllegalArgumentException if the body is empty or longer than {@link #BODY_MAX_BYTES}
     * @throws StorageFailedException if the store is failed or a write, fsync or rename fails
     */
    Hash put(byte[] body);

    /**
     * The body whose SHA-256 is {@code digest}, verified; empty if none is stored.
     *
     * @throws CorruptionException if the stored bytes do not hash to {@code digest}
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    Optional<byte[]> get(Hash digest);

    /** Releases resources (none are held between calls today). */
    @Override
    void close();
}
