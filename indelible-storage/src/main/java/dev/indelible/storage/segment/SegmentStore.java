package dev.indelible.storage.segment;

import dev.indelible.storage.Corruption;
import dev.indelible.storage.CorruptionException;
import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The leaves of one log, in append-only segment files {@code <first leaf index>.seg} in one
 * directory (layout: {@code docs/design/storage-format.md}).
 *
 * <p><b>Durability.</b> {@link #append} writes records but MUST NOT be taken as durable; a record
 * is durable once a later {@link #sync} has returned. After a crash, recovery MUST keep every record
 * below the {@link #durableSize()} observed before the crash, byte for byte, and MAY keep a prefix
 * of the records appended after it — never anything else.
 *
 * <p><b>Failure.</b> Any I/O error on the write path (a failed or torn write, a full disk, a failed
 * fsync) moves the store to a permanent <em>failed</em> state: every later {@code append} and
 * {@code sync} throws {@link StorageFailedException}. A failed fsync is never retried (the
 * page-cache state is unknown). Reads keep working for records below {@link #size()}.
 *
 * <p><b>Threads.</b> Exactly one writer thread at a time MAY call {@link #append} and {@link #sync};
 * any number of threads MAY call the read methods concurrently with it, for leaf indexes below a
 * {@link #size()} they have observed. {@link #close} MUST NOT race with other calls.
 */
public interface SegmentStore extends AutoCloseable {
    /**
     * Opens (creating if missing) the store in {@code directory} and recovers it: truncates a torn
     * tail of the last segment, rebuilds missing or wrong position tables, and checks headers and
     * leaf-index continuity. Corruption does not make open fail: the store opens in the failed
     * state, {@link #corruption()} says where, and records below the corruption stay readable.
     *
     * @throws IOException if the directory cannot be read or recovery cannot write its repairs
     */
    static SegmentStore open(Path directory, FileIO io, SegmentOptions options) throws IOException {
        return SegmentRecovery.open(directory, io, options);
    }

    /**
     * Checks every header, record CRC, leaf-index continuity and position table under
     * {@code directory} without modifying anything (files are opened read-only). For {@code fsck}.
     */
    static SegmentVerification verify(Path directory, FileIO io) throws IOException {
        return SegmentVerifier.verify(directory, io);
    }

    /** Receives leaves of a sequential read. */
    @FunctionalInterface
    interface LeafConsumer {
        /** One leaf; {@code entry} belongs to the consumer. */
        void accept(long leafIndex, byte[] entry);
    }

    /** Number of records appended, synced or not (the next leaf index). */
    long size();

    /** Number of records covered by the last successful {@link #sync} (or recovered at open). */
    long durableSize();

    /**
     * Appends one record per entry, in order, with leaf indexes {@code size()} onwards; when it
     * returns, {@link #size()} has grown by {@code entries.size()} and the records are readable. Not
     * durable until {@link #sync}. May seal the active segment and start a new one afterwards.
     *
     * @throws IllegalArgumentException if an entry is empty or longer than {@code recordMaxBytes};
     *     nothing is written then
     * @throws StorageFailedException if the store is failed or the write fails (then it is failed)
     */
    void append(List<byte[]> entries);

    /**
     * Makes every appended record durable (fsync). On return {@link #durableSize()} is at least the
     * {@link #size()} observed at the call. Unlike the other writing methods it may be called from
     * any thread, also while the writer appends (a background syncer keeps the unsynced tail short
     * so that the writer's own syncs find little or nothing left to do).
     *
     * @throws StorageFailedException if the store is failed or the fsync fails (then it is failed,
     *     permanently)
     */
    void sync();

    /**
     * The entry at {@code leafIndex}, CRC-checked.
     *
     * @throws IllegalArgumentException if {@code leafIndex} is negative or not below {@link #size()}
     * @throws CorruptionException if the record is at or after a known corruption or fails its CRC
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    byte[] read(long leafIndex);

    /**
     * Streams the entries at {@code [start, end)} in order to {@code consumer}, with sequential
     * buffered reads; same exceptions as {@link #read}.
     */
    void readRange(long start, long end, LeafConsumer consumer);

    /** The first corruption known (found at open or by the writer); present means failed. */
    Optional<Corruption> corruption();

    /** What recovery did when the store was opened. */
    RecoveryReport recoveryReport();

    /** Closes every file; does not sync. */
    @Override
    void close();
}
