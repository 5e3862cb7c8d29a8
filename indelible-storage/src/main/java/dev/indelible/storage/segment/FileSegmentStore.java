package dev.indelible.storage.segment;

import dev.indelible.storage.Corruption;
import dev.indelible.storage.CorruptionException;
import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.io.RecordFraming;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SegmentStore} on segment files through {@link FileIO}.
 *
 * <p>Append path: every record of a batch is framed into one reused direct buffer (1 MiB, or more
 * for one maximal record) and written with one positional write per buffer-full, so a batch of a
 * thousand 600-byte entries costs one syscall and no allocation per record. Offsets of the active
 * segment are kept in memory; sealing writes them to the position table.
 *
 * <p>Publication: the writer writes records and their offsets first, then publishes the segment
 * list and finally the volatile {@code size}; a reader that observes a size therefore sees the
 * segments and offsets for every leaf below it.
 */
final class FileSegmentStore implements SegmentStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileSegmentStore.class);
    private static final int WRITE_BUFFER_BYTES = 1 << 20;

    private final Path directory;
    private final FileIO io;
    private final SegmentOptions options;
    private final RecoveryReport recoveryReport;
    private final ByteBuffer writeBuffer;
    private final CRC32C crc = new CRC32C();
    private volatile Segment[] segments;
    private volatile long size;
    private volatile long durableSize;
    private volatile StorageFailedException failure;
    private volatile Corruption corruption;
    private volatile boolean closed;
    private Segment active;
    /** Volatile for {@link #sync} from other threads; written by the writer only (at a roll). */
    private volatile FileChannel activeChannel;

    private long activeEnd;

    FileSegmentStore(Path directory, FileIO io, SegmentOptions options, SegmentRecovery.Outcome recovered) {
        this.directory = directory;
        this.io = io;
        this.options = options;
        this.recoveryReport = recovered.report();
        this.segments = recovered.segments().toArray(new Segment[0]);
        this.size = recovered.report().leafCount();
        this.durableSize = size;
        this.corruption = recovered.report().corruption().orElse(null);
        if (corruption != null) {
            this.failure = new CorruptionException(corruption);
        }
        this.active = recovered.active();
        this.activeChannel = recovered.activeChannel();
        this.activeEnd = recovered.activeEnd();
        this.writeBuffer = ByteBuffer.allocateDirect(
                Math.max(WRITE_BUFFER_BYTES, options.recordMaxBytes() + RecordFraming.HEADER_BYTES));
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long durableSize() {
        return durableSize;
    }

    @Override
    public void append(List<byte[]> entries) {
        checkWritable();
        for (int i = 0; i < entries.size(); i++) {
            int length = entries.get(i).length;
            if (length < 1 || length > options.recordMaxBytes()) {
                throw new IllegalArgumentException("entry " + i + " of batch has " + length + " bytes, want [1, "
                        + options.recordMaxBytes() + "]");
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        try {
            long position = activeEnd;
            long writeAt = position;
            writeBuffer.clear();
            for (byte[] entry : entries) {
                if (writeBuffer.remaining() < RecordFraming.HEADER_BYTES + entry.length) {
                    writeAt = writeBuffered(writeAt);
                }
                crc.reset();
                crc.update(entry);
                writeBuffer.putInt(entry.length).putInt((int) crc.getValue()).put(entry);
                active.addOffset(position);
                position += RecordFraming.HEADER_BYTES + entry.length;
            }
            writeBuffered(writeAt);
            activeEnd = position;
        } catch (IOException e) {
            throw fail("write to " + active.path + " failed", e);
        }
        size = size + entries.size();
        if (activeEnd > options.segmentMaxBytes()) {
            roll();
        }
    }

    /** Writes the buffered bytes at {@code position}; returns the position after them. */
    private long writeBuffered(long position) throws IOException {
        writeBuffer.flip();
        long at = position;
        while (writeBuffer.hasRemaining()) {
            at += activeChannel.write(writeBuffer, at);
        }
        writeBuffer.clear();
        return at;
    }

    /**
     * Reads {@code size} before {@code activeChannel}: every record below that size was written to
     * that channel or to one the writer sealed (and fsync'd) before switching to it, so forcing
     * the channel read second covers them all, whichever thread calls.
     */
    @Override
    public void sync() {
        checkWritable();
        long covered = size;
        FileChannel channel = activeChannel;
        try {
            channel.force(false);
        } catch (ClosedChannelException e) {
            checkWritable(); // closed by another thread meanwhile: says so; otherwise it is a failure
            throw fail("fsync of the active segment in " + directory + " failed; never retried", e);
        } catch (IOException e) {
            throw fail("fsync of the active segment in " + directory + " failed; never retried", e);
        }
        advanceDurableSize(covered);
    }

    /** Raises {@link #durableSize} to {@code covered} unless a concurrent sync got further. */
    private synchronized void advanceDurableSize(long covered) {
        if (covered > durableSize) {
            durableSize = covered;
        }
    }

    /** Seals the active segment (fsync, position table, read-only) and starts the next one. */
    private void roll() {
        Segment sealing = active;
        try {
            activeChannel.force(false);
            advanceDurableSize(size);
            writePositionTable(io, directory, sealing.firstLeafIndex, sealing.offsetsSnapshot());
            io.makeReadOnly(sealing.path);
            io.syncDirectory(directory);
            FileChannel next = SegmentRecovery.createSegment(io, directory, size);
            Segment nextSegment = Segment.inMemory(directory, size, io, next, new LongArray());
            Segment[] list = Arrays.copyOf(segments, segments.length + 1);
            list[list.length - 2] = sealing.seal();
            list[list.length - 1] = nextSegment;
            segments = list;
            active = nextSegment;
            activeChannel = next;
            activeEnd = SegmentFiles.HEADER_BYTES;
            LOG.debug("sealed segment {} at leaf {}", sealing.path, size);
        } catch (IOException e) {
            throw fail("sealing " + sealing.path + " failed", e);
        }
    }

    /** Writes a position table: temp file, fsync, read-only, atomic rename (directory sync by caller). */
    static void writePositionTable(FileIO io, Path directory, long first, long[] offsets) throws IOException {
        Path target = SegmentFiles.positionPath(directory, first);
        Path temp = target.resolveSibling(target.getFileName() + SegmentFiles.TEMP_SUFFIX);
        io.deleteIfExists(temp);
        try (FileChannel out = io.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
            long at = 0;
            for (long offset : offsets) {
                if (!buffer.hasRemaining()) {
                    at = writeAll(out, buffer, at);
                }
                buffer.putLong(offset);
            }
            writeAll(out, buffer, at);
            out.force(false);
        }
        io.makeReadOnly(temp);
        io.moveAtomically(temp, target);
    }

    private static long writeAll(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        buffer.flip();
        long at = position;
        while (buffer.hasRemaining()) {
            at += out.write(buffer, at);
        }
        buffer.clear();
        return at;
    }

    @Override
    public byte[] read(long leafIndex) {
        checkReadable(leafIndex, leafIndex + 1);
        return segmentOf(leafIndex).read(leafIndex);
    }

    @Override
    public void readRange(long start, long end, LeafConsumer consumer) {
        if (start == end) {
            return;
        }
        checkReadable(start, end);
        long next = start;
        while (next < end) {
            Segment segment = segmentOf(next);
            long stop = Math.min(end, segmentEnd(segment));
            next = readFromSegment(segment, next, stop, consumer);
        }
    }

    private long segmentEnd(Segment segment) {
        Segment[] list = segments;
        for (int i = 0; i < list.length - 1; i++) {
            if (list[i].firstLeafIndex == segment.firstLeafIndex) {
                return list[i + 1].firstLeafIndex;
            }
        }
        return Long.MAX_VALUE;
    }

    private long readFromSegment(Segment segment, long start, long stop, LeafConsumer consumer) {
        long[] leaf = {start};
        try {
            FileChannel channel = segment.channel();
            long from = segment.offset(start - segment.firstLeafIndex);
            RecordFraming.ScanResult result = RecordFraming.scan(
                    channel, from, channel.size(), SegmentOptions.RECORD_MAX_BYTES_LIMIT, (offset, payload) -> {
                        byte[] entry = new byte[payload.remaining()];
                        payload.get(entry);
                        consumer.accept(leaf[0]++, entry);
                        return leaf[0] < stop;
                    });
            if (leaf[0] < stop) {
                String reason =
                        result.verdict() == RecordFraming.Verdict.CLEAN ? "segment ends early" : result.reason();
                throw segment.corrupt(leaf[0], result.validEnd(), reason);
            }
            return stop;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + segment.path + " from leaf " + leaf[0], e);
        }
    }

    private void checkReadable(long start, long end) {
        if (closed) {
            throw new IllegalStateException("segment store " + directory + " is closed");
        }
        long available = size;
        if (start < 0 || start > end) {
            throw new IllegalArgumentException("leaf range [" + start + ", " + end + ")");
        }
        Corruption known = corruption;
        if (known != null && end > known.firstBadLeafIndex()) {
            throw new CorruptionException(known);
        }
        if (end > available) {
            throw new IllegalArgumentException("leaf range [" + start + ", " + end + ") beyond size " + available);
        }
    }

    private Segment segmentOf(long leafIndex) {
        Segment[] list = segments;
        int low = 0;
        int high = list.length - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (list[mid].firstLeafIndex <= leafIndex) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return list[low];
    }

    private void checkWritable() {
        if (closed) {
            throw new IllegalStateException("segment store " + directory + " is closed");
        }
        StorageFailedException failed = failure;
        if (failed != null) {
            throw new StorageFailedException(
                    "segment store " + directory + " is failed: " + failed.getMessage(), failed);
        }
    }

    private StorageFailedException fail(String message, IOException cause) {
        StorageFailedException failed = new StorageFailedException(message, cause);
        failure = failed;
        LOG.error("segment store {} is now failed: {}", directory, message, cause);
        return failed;
    }

    @Override
    public Optional<Corruption> corruption() {
        return Optional.ofNullable(corruption);
    }

    @Override
    public RecoveryReport recoveryReport() {
        return recoveryReport;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Segment> all = new ArrayList<>(List.of(segments));
        for (Segment segment : all) {
            segment.close();
        }
        if (activeChannel != null) {
            try {
                activeChannel.close();
            } catch (IOException e) {
                LOG.warn("closing {} failed", active.path, e);
            }
        }
    }
}
