package dev.indelible.log.fsck;

import dev.indelible.formats.merkle.Hash;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * Sequential, read-only reader of the hash rows {@code hashes/row-<k>} (storage-format.md §Hash
 * rows: flat arrays of 32-byte hashes; row k entry i is the node at level 8k, index i). fsck walks
 * the tree left to right, so each row is read front to back exactly once.
 */
final class HashRowReader implements AutoCloseable {
    /** Rows 0..7 cover trees up to 2^63 leaves. */
    static final int ROW_COUNT = 8;
    /** Tree levels per row. */
    static final int LEVELS_PER_ROW = 8;

    private static final int BUFFER_BYTES = 1 << 16;

    private final DataInputStream[] rows = new DataInputStream[ROW_COUNT];
    private final long[] sizes = new long[ROW_COUNT];
    private final long[] next = new long[ROW_COUNT];
    private final byte[] scratch = new byte[Hash.SIZE];

    private HashRowReader() {}

    /**
     * Opens every row file present under {@code directory}; describes in {@code warnings} what
     * recovery would repair (partial hashes at a row's end, higher-row entries not backed by the
     * row below).
     */
    static HashRowReader open(Path directory, Consumer<String> warnings) throws IOException {
        HashRowReader reader = new HashRowReader();
        try {
            for (int row = 0; row < ROW_COUNT; row++) {
                Path file = directory.resolve("row-" + row);
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                long bytes = Files.size(file);
                if (bytes % Hash.SIZE != 0) {
                    warnings.accept("hashes/row-" + row + " ends in a partial hash of " + bytes % Hash.SIZE
                            + " bytes (recovery cuts it)");
                }
                reader.sizes[row] = bytes / Hash.SIZE;
                InputStream in = Files.newInputStream(file, StandardOpenOption.READ);
                reader.rows[row] = new DataInputStream(new BufferedInputStream(in, BUFFER_BYTES));
            }
            for (int row = 1; row < ROW_COUNT; row++) {
                long backed = reader.sizes[row - 1] / 256;
                if (reader.sizes[row] > backed) {
                    warnings.accept("hashes/row-" + row + " holds " + reader.sizes[row] + " hashes but row-" + (row - 1)
                            + " backs only " + backed + " (recovery drops the rest)");
                }
            }
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
        return reader;
    }

    /** Hashes stored in {@code row} (whole hashes only). */
    long size(int row) {
        return sizes[row];
    }

    /**
     * The stored hash at {@code index} of {@code row}, or null if the row does not hold it. Indexes
     * of one row MUST be asked for in increasing order.
     */
    Hash read(int row, long index) throws IOException {
        if (index >= sizes[row]) {
            return null;
        }
        if (index < next[row]) {
            throw new IllegalStateException("row " + row + " index " + index + " asked after " + next[row]);
        }
        DataInputStream in = rows[row];
        while (next[row] < index) {
            in.readFully(scratch);
            next[row]++;
        }
        in.readFully(scratch);
        next[row]++;
        return Hash.of(scratch);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (DataInputStream row : rows) {
            if (row == null) {
                continue;
            }
            try {
                row.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
