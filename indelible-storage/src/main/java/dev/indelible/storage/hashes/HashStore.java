package dev.indelible.storage.hashes;

import dev.indelible.formats.merkle.CompactRange;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.NodeSource;
import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The Merkle node hashes of one log, in <em>rows</em>: row k is an append-only file
 * {@code row-<k>} of the 32-byte hashes at tree level 8k (row 0 = leaf hashes, row 1 = roots of
 * complete 256-leaf subtrees, …). Row k therefore holds, back to back, every full C2SP tlog-tiles
 * tile of tile level k: tile (k, N) of width W is bytes {@code [N*256*32, (N*256+W)*32)} of row k.
 * Nodes at other levels are computed on demand from at most 256 hashes of the row below
 * (RFC 9162 §2.1.1 node hashing).
 *
 * <p><b>Writing.</b> The writer feeds every node of every append through {@link #sink()} (as
 * {@link CompactRange#append} reports them), then calls {@link #flush()}, which writes each row's
 * buffered hashes with one write and <em>publishes</em> them; {@link #sync()} also makes them
 * durable. Nodes MUST arrive in order: a node at level 8k MUST have index {@code rowSize(k)}.
 *
 * <p><b>Threads.</b> One writer thread MAY call {@code sink}, {@code flush}, {@code sync} and
 * {@code truncate}. Any number of threads MAY call {@link #node}, {@link #tile} and the size
 * methods concurrently, but readers other than the writer MUST only ask for nodes inside a tree of
 * at most {@link #leafCount()} leaves (what has been published). The writer itself may also read
 * nodes it has sunk but not yet flushed.
 *
 * <p><b>Failure.</b> An I/O error while writing, truncating or syncing moves the store to a
 * permanent failed state ({@link StorageFailedException} on every later write); a failed fsync is
 * never retried.
 */
public interface HashStore extends NodeSource, AutoCloseable {
    /** Tree levels per row, and the tlog-tiles tile height. */
    int TILE_HEIGHT = 8;
    /** Hashes per full tile: 2^{@link #TILE_HEIGHT}. */
    int TILE_WIDTH = 1 << TILE_HEIGHT;
    /** Rows needed for trees up to 2^63 leaves (levels 0, 8, …, 56). */
    int ROW_COUNT = 8;

    /**
     * Opens (creating if missing) the rows in {@code directory} and recovers them: cuts each row to
     * whole hashes, drops higher-row entries not backed by the row below, and recomputes higher-row
     * entries the row below can supply.
     */
    static HashStore open(Path directory, FileIO io) throws IOException {
        return FileHashStore.open(directory, io);
    }

    /** Receives completed nodes; keeps those at levels divisible by 8, ignores the others. */
    CompactRange.NodeSink sink();

    /**
     * Writes buffered hashes (one write per row) and publishes them to readers.
     *
     * @throws StorageFailedException if the store is failed or the write fails
     */
    void flush();

    /**
     * fsyncs what the writer has flushed to the row files so far, without flushing; may be called
     * from any one thread other than the writer, while it writes. It only shortens the writer's
     * next {@link #sync}; a failure fails the store (an fsync is never retried).
     *
     * @throws StorageFailedException if the store is failed or an fsync fails
     */
    void syncFlushedInBackground();

    /**
     * Flushes, and fsyncs the rows' directory if a row file was created since it was last fsync'd:
     * afterwards {@link #syncFlushedInBackground} on another thread makes every hash written so far
     * durable (writer thread).
     *
     * @throws StorageFailedException if the store is failed, or the write or the fsync fails
     */
    void flushForBackgroundSync();

    /**
     * Flushes, then fsyncs every row written since the last sync.
     *
     * @throws StorageFailedException if the store is failed or an fsync fails (permanently)
     */
    void sync();

    /** Leaf hashes published (row 0 size): the largest tree readers may ask about. */
    long leafCount();

    /** Hashes published in {@code row}. */
    long rowSize(int row);

    /**
     * The hash of the complete subtree at {@code level}, {@code index}.
     *
     * @throws IllegalArgumentException if that subtree is not complete in the stored tree
     * @throws java.io.UncheckedIOException if a row cannot be read
     */
    @Override
    Hash node(int level, long index);

    /**
     * The bytes of tlog-tiles tile {@code tileLevel}/{@code tileIndex} of {@code width} hashes
     * (1..256; 256 for a full tile).
     *
     * @throws IllegalArgumentException if the width is out of range or the tile is not published
     */
    byte[] tile(int tileLevel, long tileIndex, int width);

    /**
     * Drops every leaf from {@code leafCount} on and every row entry that depends on one, durably.
     * For recovery, when the segments hold fewer leaves than the hashes.
     */
    void truncate(long leafCount);

    /** Closes the rows; does not flush. */
    @Override
    void close();
}
