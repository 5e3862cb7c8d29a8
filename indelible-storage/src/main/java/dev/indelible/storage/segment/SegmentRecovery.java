package dev.indelible.storage.segment;

import dev.indelible.storage.Corruption;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.io.RecordFraming;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a segment directory and repairs what a crash can leave behind (rules in
 * {@code docs/design/storage-format.md} §Recovery).
 *
 * <p>A segment is <em>sealed</em> if it is not the last one, or if its position table exists (a
 * crash after sealing but before the next segment's directory entry became durable). Sealed
 * segments are checked cheaply: header, position-table size, and that the last record ends at the
 * end of the file; a table that fails the check is rebuilt by a full scan. The last unsealed
 * segment is the active one and is always scanned in full; a torn tail is truncated, and so is
 * damage at or past {@link SegmentOptions#unsyncedFrom()} (records never fsync'd). Corruption
 * stops recovery: the segments before it stay readable, nothing after it is opened.
 */
final class SegmentRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentRecovery.class);

    /** What recovery hands to the store. */
    record Outcome(
            List<Segment> segments, Segment active, FileChannel activeChannel, long activeEnd, RecoveryReport report) {}

    private final Path directory;
    private final FileIO io;
    private final long unsyncedFrom;
    private final List<Segment> segments = new ArrayList<>();
    private long leafCount;
    private long truncatedBytes;
    private String truncationReason = "";
    private int tablesRebuilt;
    private Corruption corruption;

    private SegmentRecovery(Path directory, FileIO io, long unsyncedFrom) {
        this.directory = directory;
        this.io = io;
        this.unsyncedFrom = unsyncedFrom;
    }

    static SegmentStore open(Path directory, FileIO io, SegmentOptions options) throws IOException {
        io.createDirectories(directory);
        SegmentRecovery recovery = new SegmentRecovery(directory, io, options.unsyncedFrom());
        return new FileSegmentStore(directory, io, options, recovery.recover());
    }

    private Outcome recover() throws IOException {
        List<Long> firsts = new ArrayList<>();
        for (Path file : io.list(directory)) {
            if (file.getFileName().toString().endsWith(SegmentFiles.TEMP_SUFFIX)) {
                io.deleteIfExists(file);
                continue;
            }
            OptionalLong first = SegmentFiles.parseSegmentName(file);
            if (first.isPresent()) {
                firsts.add(first.getAsLong());
            }
        }
        for (int i = 0; i < firsts.size() && corruption == null; i++) {
            long first = firsts.get(i);
            Path path = SegmentFiles.segmentPath(directory, first);
            if (first != leafCount) {
                String reason = first > leafCount
                        ? "gap: segment starts at leaf " + first + ", want " + leafCount
                        : "overlap: segment starts at leaf " + first + ", want " + leafCount;
                corruption = new Corruption(path, 0, Math.min(first, leafCount), reason);
                break;
            }
            boolean last = i == firsts.size() - 1;
            if (!last || io.exists(SegmentFiles.positionPath(directory, first))) {
                openSealed(first, i >= firsts.size() - 2);
            } else {
                return openActive(first);
            }
        }
        if (corruption != null) {
            return new Outcome(segments, null, null, 0, report());
        }
        FileChannel channel = createSegment(io, directory, leafCount);
        Segment active = Segment.inMemory(directory, leafCount, io, channel, new LongArray());
        segments.add(active);
        return new Outcome(segments, active, channel, SegmentFiles.HEADER_BYTES, report());
    }

    private RecoveryReport report() {
        return new RecoveryReport(
                segments.size(),
                corruption == null ? leafCount : corruption.firstBadLeafIndex(),
                truncatedBytes,
                truncationReason,
                tablesRebuilt,
                Optional.ofNullable(corruption));
    }

    private void openSealed(long first, boolean mayBeHalfSealed) throws IOException {
        Path path = SegmentFiles.segmentPath(directory, first);
        FileChannel channel = io.open(path, StandardOpenOption.READ);
        long fileSize = channel.size();
        String headerProblem = SegmentFiles.headerProblem(readHeader(channel, fileSize), first);
        if (headerProblem != null) {
            corruption = new Corruption(path, 0, first, headerProblem + " (sealed segment)");
            channel.close();
            return;
        }
        long count = trustedTableCount(first, channel, fileSize);
        if (count < 0) {
            LongArray offsets = new LongArray();
            RecordFraming.ScanResult scan = RecordFraming.scan(
                    channel,
                    SegmentFiles.HEADER_BYTES,
                    fileSize,
                    SegmentOptions.RECORD_MAX_BYTES_LIMIT,
                    (offset, payload) -> {
                        offsets.add(offset);
                        return true;
                    });
            if (scan.verdict() != RecordFraming.Verdict.CLEAN || scan.records() == 0) {
                String reason = scan.records() == 0 && scan.verdict() == RecordFraming.Verdict.CLEAN
                        ? "sealed segment holds no records"
                        : scan.reason() + " (sealed segment)";
                corruption = new Corruption(path, scan.validEnd(), first + scan.records(), reason);
                segments.add(Segment.inMemory(directory, first, io, channel, offsets));
                leafCount += scan.records();
                return;
            }
            FileSegmentStore.writePositionTable(
                    io, directory, first, java.util.Arrays.copyOf(offsets.array(), offsets.size()));
            io.syncDirectory(directory);
            tablesRebuilt++;
            LOG.warn("rebuilt position table of {} ({} records)", path, scan.records());
            count = scan.records();
        }
        if (mayBeHalfSealed) {
            // A crash while sealing can leave the files writable; making them read-only is idempotent.
            io.makeReadOnly(path);
            io.makeReadOnly(SegmentFiles.positionPath(directory, first));
        }
        segments.add(Segment.sealed(directory, first, io, channel));
        leafCount += count;
    }

    /** The record count the position table claims, if it is consistent with the segment; else -1. */
    private long trustedTableCount(long first, FileChannel segment, long segmentSize) throws IOException {
        Path table = SegmentFiles.positionPath(directory, first);
        if (!io.exists(table)) {
            LOG.warn("position table {} is missing", table);
            return -1;
        }
        try (FileChannel positions = io.open(table, StandardOpenOption.READ)) {
            long tableSize = positions.size();
            if (tableSize == 0 || tableSize % Long.BYTES != 0) {
                LOG.warn("position table {} has {} bytes", table, tableSize);
                return -1;
            }
            ByteBuffer ends = ByteBuffer.allocate(Long.BYTES);
            Segment.readFully(positions, ends, 0);
            long firstOffset = ends.getLong(0);
            ends.clear();
            Segment.readFully(positions, ends, tableSize - Long.BYTES);
            long lastOffset = ends.getLong(0);
            if (firstOffset != SegmentFiles.HEADER_BYTES
                    || lastOffset < firstOffset
                    || lastOffset + RecordFraming.HEADER_BYTES > segmentSize) {
                LOG.warn("position table {} does not match its segment", table);
                return -1;
            }
            ByteBuffer header = ByteBuffer.allocate(RecordFraming.HEADER_BYTES);
            Segment.readFully(segment, header, lastOffset);
            long lastEnd = lastOffset + RecordFraming.HEADER_BYTES + Integer.toUnsignedLong(header.getInt(0));
            if (lastEnd != segmentSize) {
                LOG.warn(
                        "position table {}: last record ends at {}, segment has {} bytes", table, lastEnd, segmentSize);
                return -1;
            }
            return tableSize / Long.BYTES;
        }
    }

    private Outcome openActive(long first) throws IOException {
        Path path = SegmentFiles.segmentPath(directory, first);
        FileChannel channel = io.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long fileSize = channel.size();
        ByteBuffer header = readHeader(channel, fileSize);
        if (fileSize < SegmentFiles.HEADER_BYTES || isAllZero(channel, fileSize)) {
            // Created but its header never became durable: it cannot hold records; write it again.
            truncate(channel, path, 0, "incomplete segment header (" + fileSize + " bytes)", fileSize);
            channel.write(SegmentFiles.header(first), 0);
            channel.force(false);
            fileSize = SegmentFiles.HEADER_BYTES;
        } else {
            String problem = SegmentFiles.headerProblem(header, first);
            if (problem != null) {
                corruption = new Corruption(path, 0, first, problem);
                channel.close();
                return new Outcome(segments, null, null, 0, report());
            }
        }
        LongArray offsets = new LongArray();
        RecordFraming.ScanResult scan = RecordFraming.scan(
                channel,
                SegmentFiles.HEADER_BYTES,
                fileSize,
                SegmentOptions.RECORD_MAX_BYTES_LIMIT,
                (offset, payload) -> {
                    offsets.add(offset);
                    return true;
                });
        leafCount += scan.records();
        Segment active = Segment.inMemory(directory, first, io, channel, offsets);
        segments.add(active);
        switch (scan.verdict()) {
            case CLEAN -> {
                // Records written before a process restart may still be only in the page cache:
                // make them durable, so that durableSize() == size() after open is true.
                channel.force(false);
            }
            case TORN -> truncate(channel, path, scan.validEnd(), scan.reason(), fileSize - scan.validEnd());
            case CORRUPT -> {
                long badLeaf = first + scan.records();
                if (badLeaf < unsyncedFrom) {
                    corruption = new Corruption(path, scan.validEnd(), badLeaf, scan.reason());
                    return new Outcome(segments, null, null, 0, report());
                }
                // Never fsync'd: the page cache may have written later pages before this one.
                truncate(
                        channel,
                        path,
                        scan.validEnd(),
                        scan.reason() + " at leaf " + badLeaf + ", past leaf " + unsyncedFrom
                                + " from which writes were not fsync'd",
                        fileSize - scan.validEnd());
            }
        }
        return new Outcome(segments, active, channel, scan.validEnd(), report());
    }

    private void truncate(FileChannel channel, Path path, long at, String reason, long bytes) throws IOException {
        LOG.warn("truncating torn tail of {}: {} bytes at offset {} ({})", path, bytes, at, reason);
        channel.truncate(at);
        channel.force(false);
        truncatedBytes += bytes;
        truncationReason = reason;
    }

    private static ByteBuffer readHeader(FileChannel channel, long fileSize) throws IOException {
        ByteBuffer header = ByteBuffer.allocate((int) Math.min(SegmentFiles.HEADER_BYTES, fileSize));
        Segment.readFully(channel, header, 0);
        return header.flip();
    }

    private static boolean isAllZero(FileChannel channel, long fileSize) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
        for (long at = 0; at < fileSize; at += chunk.capacity()) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), fileSize - at));
            Segment.readFully(channel, chunk, at);
            chunk.flip();
            while (chunk.hasRemaining()) {
                if (chunk.get() != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Creates a segment file with its header, fsyncs it and the directory. */
    static FileChannel createSegment(FileIO io, Path directory, long first) throws IOException {
        Path path = SegmentFiles.segmentPath(directory, first);
        FileChannel channel =
                io.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            ByteBuffer header = SegmentFiles.header(first);
            while (header.hasRemaining()) {
                channel.write(header, header.position());
            }
            channel.force(false);
            io.syncDirectory(directory);
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }
}
