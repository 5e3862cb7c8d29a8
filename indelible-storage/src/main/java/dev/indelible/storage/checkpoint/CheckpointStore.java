package dev.indelible.storage.checkpoint;

import dev.indelible.storage.Corruption;
import dev.indelible.storage.CorruptionException;
import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every signed checkpoint a log has published, in one append-only file (layout:
 * {@code docs/design/storage-format.md}). Only {@code (treeSize, file offset)} pairs are kept in
 * memory; notes are read on demand.
 *
 * <p><b>Durability.</b> {@link #append} MUST NOT return before the checkpoint is durable (written
 * and fsync'd): a checkpoint is published only after it is stored, so that a log can never forget
 * a tree head it has shown to the world.
 *
 * <p><b>Order.</b> Tree sizes MUST strictly increase: a log publishes a new checkpoint only when
 * its tree has grown, and "the checkpoint at size N" is then unique.
 *
 * <p><b>Failure.</b> Any I/O error while appending moves the store to a permanent failed state.
 * Corruption found at open (anything but a torn tail) opens the store failed, with
 * {@link #corruption()} saying where; checkpoints before it stay readable.
 *
 * <p><b>Threads.</b> {@code append} is serialized internally; reads MAY run concurrently with it.
 */
public interface CheckpointStore extends AutoCloseable {
    /** The largest signed note accepted: 64 KiB (a checkpoint with many cosignatures is ~2 KiB). */
    int SIGNED_NOTE_MAX_BYTES = 64 << 10;

    /** Opens (creating if missing) the history in {@code file}, truncating a torn tail. */
    static CheckpointStore open(Path file, FileIO io) throws IOException {
        return FileCheckpointStore.open(file, io);
    }

    /**
     * Stores {@code signedNote} for {@code treeSize} durably.
     *
     * @throws IllegalArgumentException if {@code treeSize} is not above the latest stored one, or
     *     the note is empty or longer than {@link #SIGNED_NOTE_MAX_BYTES}
     * @throws StorageFailedException if the store is failed or the write or fsync fails
     */
    void append(long treeSize, byte[] signedNote);

    /** The checkpoint with the largest tree size, if any. */
    Optional<StoredCheckpoint> latest();

    /** The first checkpoint whose tree size is at least {@code treeSize}, if any. */
    Optional<StoredCheckpoint> firstAtLeast(long treeSize);

    /** Number of checkpoints stored (readable ones, if corrupt). */
    long count();

    /**
     * Every checkpoint in order of tree size; each note is read from disk as the stream reaches it.
     *
     * @throws CorruptionException (from the stream) if a record fails its CRC
     */
    Stream<StoredCheckpoint> stream();

    /** The corruption found at open, if any; present means failed. */
    Optional<Corruption> corruption();

    /** Bytes of torn tail recovery truncated at open. */
    long truncatedBytes();

    /** Closes the file. */
    @Override
    void close();
}
