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

/**
 * The read-only full check behind {@link SegmentStore#verify}: every header, every record's CRC,
 * leaf-index continuity between segments, and every position table entry. Nothing is written.
 */
final class SegmentVerifier {
    private SegmentVerifier() {}

    static SegmentVerification verify(Path directory, FileIO io) throws IOException {
        List<Long> firsts = new ArrayList<>();
        for (Path file : io.list(directory)) {
            OptionalLong first = SegmentFiles.parseSegmentName(file);
            first.ifPresent(firsts::add);
        }
        long leafCount = 0;
        long tornTail = 0;
        int tableProblems = 0;
        for (int i = 0; i < firsts.size(); i++) {
            long first = firsts.get(i);
            Path path = SegmentFiles.segmentPath(directory, first);
            if (first != leafCount) {
                return result(
                        firsts,
                        leafCount,
                        0,
                        tableProblems,
                        new Corruption(
                                path,
                                0,
                                Math.min(first, leafCount),
                                "segment starts at leaf " + first + ", want " + leafCount));
            }
            boolean last = i == firsts.size() - 1;
            Path table = SegmentFiles.positionPath(directory, first);
            boolean sealed = !last || io.exists(table);
            try (FileChannel channel = io.open(path, StandardOpenOption.READ)) {
                long fileSize = channel.size();
                ByteBuffer header = ByteBuffer.allocate((int) Math.min(SegmentFiles.HEADER_BYTES, fileSize));
                Segment.readFully(channel, header, 0);
                String problem = SegmentFiles.headerProblem(header.flip(), first);
                if (problem != null) {
                    return result(firsts, leafCount, 0, tableProblems, new Corruption(path, 0, first, problem));
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
                if (scan.verdict() == RecordFraming.Verdict.CORRUPT
                        || (sealed && scan.verdict() == RecordFraming.Verdict.TORN)) {
                    return result(
                            firsts,
                            leafCount,
                            0,
                            tableProblems,
                            new Corruption(path, scan.validEnd(), first + scan.records(), scan.reason()));
                }
                if (scan.verdict() == RecordFraming.Verdict.TORN) {
                    tornTail = fileSize - scan.validEnd();
                }
                if (sealed && !tableMatches(io, table, offsets)) {
                    tableProblems++;
                }
            }
        }
        return new SegmentVerification(firsts.size(), leafCount, tornTail, tableProblems, Optional.empty());
    }

    private static SegmentVerification result(
            List<Long> firsts, long leafCount, long torn, int tables, Corruption corruption) {
        return new SegmentVerification(
                firsts.size(),
                Math.min(leafCount, corruption.firstBadLeafIndex()),
                torn,
                tables,
                Optional.of(corruption));
    }

    private static boolean tableMatches(FileIO io, Path table, LongArray offsets) throws IOException {
        if (!io.exists(table)) {
            return false;
        }
        try (FileChannel positions = io.open(table, StandardOpenOption.READ)) {
            if (positions.size() != (long) offsets.size() * Long.BYTES) {
                return false;
            }
            ByteBuffer bytes = ByteBuffer.allocate(offsets.size() * Long.BYTES);
            Segment.readFully(positions, bytes, 0);
            for (int i = 0; i < offsets.size(); i++) {
                if (bytes.getLong(i * Long.BYTES) != offsets.get(i)) {
                    return false;
                }
            }
            return true;
        }
    }
}
