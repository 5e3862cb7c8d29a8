package dev.indelible.storage.segment;

import dev.indelible.storage.Corruption;
import dev.indelible.storage.CorruptionException;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.io.RecordFraming;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One segment file as seen by readers. Record offsets come either from memory (the active segment,
 * or a segment whose position table could not be trusted) or from its position table on disk, read
 * with one 8-byte pread per lookup so that sealed segments cost no heap.
 *
 * <p>The in-memory offsets array is only ever appended to by the writer, and replaced by a larger
 * copy when full; readers only look at entries below a size published after the entries were
 * written, so they never see a stale slot.
 */
final class Segment implements AutoCloseable {
    final long firstLeafIndex;
    final Path path;
    final Path positionPath;
    private final FileIO io;
    private volatile FileChannel channel;
    private volatile FileChannel positionChannel;
    private volatile long[] offsets;
    private int offsetCount;

    private Segment(long firstLeafIndex, Path path, Path positionPath, FileIO io, FileChannel channel, long[] offsets) {
        this.firstLeafIndex = firstLeafIndex;
        this.path = path;
        this.positionPath = positionPath;
        this.io = io;
        this.channel = channel;
        this.offsets = offsets;
    }

    /** A segment whose offsets live in memory; {@code channel} may be null (opened on first read). */
    static Segment inMemory(Path directory, long first, FileIO io, FileChannel channel, LongArray offsets) {
        Segment segment = new Segment(
                first,
                SegmentFiles.segmentPath(directory, first),
                SegmentFiles.positionPath(directory, first),
                io,
                channel,
                offsets.array());
        segment.offsetCount = offsets.size();
        return segment;
    }

    /** A sealed segment read through its position table. */
    static Segment sealed(Path directory, long first, FileIO io, FileChannel channel) {
        return new Segment(
                first,
                SegmentFiles.segmentPath(directory, first),
                SegmentFiles.positionPath(directory, first),
                io,
                channel,
                null);
    }

    /** The same file, now looked up through its position table; shares the open channel. */
    Segment seal() {
        return new Segment(firstLeafIndex, path, positionPath, io, channel, null);
    }

    /** Writer only: records the offset of the next record. */
    void addOffset(long offset) {
        long[] current = offsets;
        if (offsetCount == current.length) {
            long[] grown = java.util.Arrays.copyOf(current, current.length * 2);
            offsets = grown;
            current = grown;
        }
        current[offsetCount++] = offset;
    }

    /** Writer only: every offset recorded so far. */
    long[] offsetsSnapshot() {
        return java.util.Arrays.copyOf(offsets, offsetCount);
    }

    FileChannel channel() throws IOException {
        FileChannel open = channel;
        if (open == null) {
            synchronized (this) {
                open = channel;
                if (open == null) {
                    open = io.open(path, StandardOpenOption.READ);
                    channel = open;
                }
            }
        }
        return open;
    }

    private FileChannel positionChannel() throws IOException {
        FileChannel open = positionChannel;
        if (open == null) {
            synchronized (this) {
                open = positionChannel;
                if (open == null) {
                    open = io.open(positionPath, StandardOpenOption.READ);
                    positionChannel = open;
                }
            }
        }
        return open;
    }

    /** Byte offset of record {@code ordinal} (0 = first record of this segment). */
    long offset(long ordinal) throws IOException {
        long[] memory = offsets;
        if (memory != null) {
            return memory[Math.toIntExact(ordinal)];
        }
        ByteBuffer entry = ByteBuffer.allocate(Long.BYTES);
        readFully(positionChannel(), entry, ordinal * Long.BYTES);
        return entry.getLong(0);
    }

    /** Reads and CRC-checks the record of {@code leafIndex}. */
    byte[] read(long leafIndex) {
        long offset = -1;
        try {
            offset = offset(leafIndex - firstLeafIndex);
            FileChannel file = channel();
            ByteBuffer header = ByteBuffer.allocate(RecordFraming.HEADER_BYTES);
            readFully(file, header, offset);
            int length = header.getInt(0);
            int crc = header.getInt(4);
            if (length <= 0 || length > SegmentOptions.RECORD_MAX_BYTES_LIMIT) {
                throw corrupt(leafIndex, offset, "record length " + Integer.toUnsignedString(length));
            }
            byte[] entry = new byte[length];
            readFully(file, ByteBuffer.wrap(entry), offset + RecordFraming.HEADER_BYTES);
            int actual = RecordFraming.crc32c(ByteBuffer.wrap(entry));
            if (actual != crc) {
                throw corrupt(leafIndex, offset, String.format("CRC32C 0x%08x, want 0x%08x", actual, crc));
            }
            return entry;
        } catch (IOException e) {
            throw new UncheckedIOException("reading leaf " + leafIndex + " from " + path + " at " + offset, e);
        }
    }

    CorruptionException corrupt(long leafIndex, long offset, String reason) {
        return new CorruptionException(new Corruption(path, Math.max(0, offset), leafIndex, reason));
    }

    static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at " + at);
            }
            at += n;
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
        closeQuietly(positionChannel);
    }

    private static void closeQuietly(FileChannel open) {
        if (open != null) {
            try {
                open.close();
            } catch (IOException ignored) {
                // Closing a read channel cannot lose data.
            }
        }
    }
}
