package dev.indelible.storage.hashes;

import dev.indelible.formats.merkle.CompactRange;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HashStore} on row files through {@link FileIO}. Nodes at levels that are not multiples of
 * 8 are folded from the row below: a node at level 8r + k needs the 2^k row-r hashes under it.
 */
final class FileHashStore implements HashStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileHashStore.class);

    private final Path directory;
    private final FileIO io;
    private final HashRow[] rows = new HashRow[ROW_COUNT];
    private final CompactRange.NodeSink sink = this::completed;
    private volatile StorageFailedException failure;
    private volatile boolean closed;
    private boolean directoryUnsynced;

    private FileHashStore(Path directory, FileIO io) {
        this.directory = directory;
        this.io = io;
    }

    static HashStore open(Path directory, FileIO io) throws IOException {
        io.createDirectories(directory);
        FileHashStore store = new FileHashStore(directory, io);
        store.recover();
        return store;
    }

    private Path rowPath(int row) {
        return directory.resolve("row-" + row);
    }

    private HashRow openRow(int row) throws IOException {
        Path path = rowPath(row);
        boolean created = !io.exists(path);
        var channel = io.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = channel.size();
        if (size % Hash.SIZE != 0) {
            LOG.warn("row {}: cutting {} bytes of a torn hash", path, size % Hash.SIZE);
            channel.truncate(size - size % Hash.SIZE);
        }
        directoryUnsynced |= created;
        HashRow opened = new HashRow(row, path, channel, size / Hash.SIZE);
        // Hashes written before a process restart may be only in the page cache: sync them at open.
        opened.unsynced = true;
        return opened;
    }

    private void recover() throws IOException {
        for (int row = 0; row < ROW_COUNT; row++) {
            if (row == 0 || io.exists(rowPath(row))) {
                rows[row] = openRow(row);
            }
        }
        for (int row = 1; row < ROW_COUNT; row++) {
            long backed = rows[row - 1] == null ? 0 : rows[row - 1].published() / TILE_WIDTH;
            HashRow current = rows[row];
            long have = current == null ? 0 : current.published();
            if (have > backed) {
                LOG.warn("row {}: dropping {} hashes not backed by row {}", row, have - backed, row - 1);
                current.truncate(backed);
            } else if (have < backed) {
                LOG.warn("row {}: recomputing {} hashes from row {}", row, backed - have, row - 1);
                if (current == null) {
                    current = openRow(row);
                    rows[row] = current;
                }
                for (long index = have; index < backed; index++) {
                    current.append(fold(rows[row - 1].read(index * TILE_WIDTH, TILE_WIDTH), TILE_HEIGHT));
                }
                current.flush();
            }
        }
        syncRows();
    }

    /** Folds {@code 2^levels} adjacent hashes into the root of their perfect subtree. */
    private static Hash fold(byte[] hashes, int levels) {
        int count = hashes.length / Hash.SIZE;
        Hash[] layer = new Hash[count];
        for (int i = 0; i < count; i++) {
            layer[i] = Hash.of(hashes, i * Hash.SIZE);
        }
        for (int level = 0; level < levels; level++) {
            count /= 2;
            for (int i = 0; i < count; i++) {
                layer[i] = Rfc9162.nodeHash(layer[2 * i], layer[2 * i + 1]);
            }
        }
        return layer[0];
    }

    @Override
    public CompactRange.NodeSink sink() {
        return sink;
    }

    private void completed(int level, long index, Hash hash) {
        if (level % TILE_HEIGHT != 0) {
            return;
        }
        checkWritable();
        int row = level / TILE_HEIGHT;
        try {
            if (rows[row] == null) {
                rows[row] = openRow(row);
            }
            long expected = rows[row].total();
            if (index != expected) {
                throw new IllegalStateException(
                        "node at level " + level + " index " + index + ", want index " + expected);
            }
            rows[row].append(hash);
        } catch (IOException e) {
            throw fail("writing row " + row, e);
        }
    }

    @Override
    public void flush() {
        checkWritable();
        try {
            for (HashRow row : rows) {
                if (row != null) {
                    row.flush();
                }
            }
        } catch (IOException e) {
            throw fail("flushing rows", e);
        }
    }

    @Override
    public void sync() {
        flush();
        try {
            syncRows();
        } catch (IOException e) {
            throw fail("fsync of rows failed; never retried", e);
        }
    }

    @Override
    public void syncFlushedInBackground() {
        checkWritable();
        for (int row = 0; row < ROW_COUNT; row++) {
            HashRow stored = rows[row]; // a row the writer opened just now may not be seen: its next sync covers it
            if (stored == null) {
                continue;
            }
            try {
                stored.channel.force(false);
            } catch (ClosedChannelException e) {
                if (closed) {
                    throw new IllegalStateException("hash store " + directory + " is closed", e);
                }
                throw fail("background fsync of row " + row, e);
            } catch (IOException e) {
                throw fail("background fsync of row " + row, e);
            }
        }
    }

    @Override
    public void flushForBackgroundSync() {
        flush();
        if (directoryUnsynced) {
            try {
                io.syncDirectory(directory);
            } catch (IOException e) {
                throw fail("fsync of the rows' directory failed; never retried", e);
            }
            directoryUnsynced = false;
        }
    }

    private void syncRows() throws IOException {
        for (HashRow row : rows) {
            if (row != null && row.unsynced) {
                row.channel.force(false);
                row.unsynced = false;
            }
        }
        if (directoryUnsynced) {
            io.syncDirectory(directory);
            directoryUnsynced = false;
        }
    }

    @Override
    public long leafCount() {
        return rows[0].published();
    }

    @Override
    public long rowSize(int row) {
        if (row < 0 || row >= ROW_COUNT) {
            throw new IllegalArgumentException("row " + row + ", want [0, " + ROW_COUNT + ")");
        }
        HashRow stored = rows[row];
        return stored == null ? 0 : stored.published();
    }

    @Override
    public Hash node(int level, long index) {
        if (level < 0 || level > 63 || index < 0 || index > (Long.MAX_VALUE >>> level)) {
            throw new IllegalArgumentException("node at level " + level + " index " + index);
        }
        int row = level / TILE_HEIGHT;
        int below = level % TILE_HEIGHT;
        long first = index << below;
        int span = 1 << below;
        HashRow stored = row < ROW_COUNT ? rows[row] : null;
        long available = stored == null ? 0 : stored.total();
        if (first + span > available) {
            throw new IllegalArgumentException("node at level " + level + " index " + index + " is not complete: row "
                    + row + " holds " + available + " hashes");
        }
        try {
            return fold(stored.read(first, span), below);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + stored.path, e);
        }
    }

    @Override
    public byte[] tile(int tileLevel, long tileIndex, int width) {
        if (width < 1 || width > TILE_WIDTH || tileLevel < 0 || tileLevel >= ROW_COUNT || tileIndex < 0) {
            throw new IllegalArgumentException("tile " + tileLevel + "/" + tileIndex + " width " + width);
        }
        long first = tileIndex * TILE_WIDTH;
        long available = rowSize(tileLevel);
        if (first + width > available) {
            throw new IllegalArgumentException("tile " + tileLevel + "/" + tileIndex + " width " + width
                    + " is not published: row holds " + available + " hashes");
        }
        try {
            return rows[tileLevel].read(first, width);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + rows[tileLevel].path, e);
        }
    }

    @Override
    public void truncate(long leafCount) {
        checkWritable();
        if (leafCount < 0) {
            throw new IllegalArgumentException("leafCount " + leafCount);
        }
        try {
            for (int row = 0; row < ROW_COUNT; row++) {
                if (rows[row] != null) {
                    rows[row].truncate(leafCount >>> (TILE_HEIGHT * row));
                }
            }
            syncRows();
        } catch (IOException e) {
            throw fail("truncating rows to " + leafCount + " leaves", e);
        }
    }

    private void checkWritable() {
        StorageFailedException failed = failure;
        if (failed != null) {
            throw new StorageFailedException("hash store " + directory + " is failed: " + failed.getMessage(), failed);
        }
    }

    private StorageFailedException fail(String message, IOException cause) {
        StorageFailedException failed = new StorageFailedException(message, cause);
        failure = failed;
        LOG.error("hash store {} is now failed: {}", directory, message, cause);
        return failed;
    }

    @Override
    public void close() {
        closed = true;
        for (HashRow row : rows) {
            if (row != null) {
                row.close();
            }
        }
    }
}
