package dev.indelible.storage.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The record framing shared by segment files and the checkpoint history:
 * {@code [u32 BE payload length][u32 BE CRC32C of payload][payload]}, length ≥ 1.
 *
 * <p>{@link #scan} walks records from an offset and classifies the first invalid one. The rule is
 * what a crash can and cannot produce. A crash can only cut the file short, or leave zeros where
 * the file system extended it without writing data. So the first invalid record is a <em>torn
 * tail</em> (safe to truncate) when
 *
 * <ul>
 *   <li>fewer than 8 header bytes remain before the end, or
 *   <li>its length (within the format limit) runs past the end, or
 *   <li>it is complete but its CRC is wrong and nothing but zero bytes follow it (it ends at the
 *       end, or the rest is zero-filled), or
 *   <li>its length is 0 and every byte from it to the end is zero.
 * </ul>
 *
 * Anything else — a bad CRC followed by data, a zero length followed by data, a length above the
 * format limit — cannot come from a crash and is <em>corruption</em>.
 *
 * <p>Part of the storage module's internals (shared by two packages); not an API for other modules.
 */
public final class RecordFraming {
    /** Bytes before each payload: length and CRC32C. */
    public static final int HEADER_BYTES = 8;

    private static final int WINDOW_BYTES = 1 << 20;

    private RecordFraming() {}

    /** How a scan ended. */
    public enum Verdict {
        /** Every record up to the end is valid (or the visitor stopped the scan). */
        CLEAN,
        /** The bytes from {@link ScanResult#validEnd()} to the end are a torn tail. */
        TORN,
        /** The record at {@link ScanResult#validEnd()} is corrupt. */
        CORRUPT
    }

    /**
     * The outcome of a scan.
     *
     * @param verdict how the scan ended
     * @param validEnd the offset just past the last valid record visited
     * @param records number of valid records visited
     * @param reason why the record at {@code validEnd} is invalid; empty when clean
     */
    public record ScanResult(Verdict verdict, long validEnd, long records, String reason) {}

    /** Receives each valid record. */
    @FunctionalInterface
    public interface RecordVisitor {
        /**
         * Called with a read-only view of the payload, valid only during the call.
         *
         * @return false to stop the scan (which then ends {@link Verdict#CLEAN} at this record's end)
         */
        boolean visit(long offset, ByteBuffer payload);
    }

    /** CRC32C of the remaining bytes of {@code payload} (its position is left unchanged). */
    public static int crc32c(ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        return (int) crc.getValue();
    }

    /**
     * Scans records in {@code [start, end)} of {@code channel} with positional reads through a
     * 1 MiB window; payloads longer than {@code payloadLimitBytes} are invalid.
     */
    public static ScanResult scan(
            FileChannel channel, long start, long end, int payloadLimitBytes, RecordVisitor visitor)
            throws IOException {
        Window window = new Window(channel, Math.max(WINDOW_BYTES, payloadLimitBytes + HEADER_BYTES), end);
        CRC32C crc = new CRC32C();
        long offset = start;
        long records = 0;
        while (offset < end) {
            long remaining = end - offset;
            if (remaining < HEADER_BYTES) {
                return new ScanResult(Verdict.TORN, offset, records, "incomplete header, " + remaining + " bytes");
            }
            ByteBuffer header = window.slice(offset, HEADER_BYTES);
            int length = header.getInt();
            int storedCrc = header.getInt();
            if (length == 0) {
                return window.allZero(offset, end)
                        ? new ScanResult(Verdict.TORN, offset, records, "zero-filled tail")
                        : new ScanResult(Verdict.CORRUPT, offset, records, "record length 0 followed by data");
            }
            if (length < 0 || length > payloadLimitBytes) {
                return new ScanResult(
                        Verdict.CORRUPT,
                        offset,
                        records,
                        "record length " + Integer.toUnsignedString(length) + " exceeds limit " + payloadLimitBytes);
            }
            long recordEnd = offset + HEADER_BYTES + length;
            if (recordEnd > end) {
                return new ScanResult(
                        Verdict.TORN,
                        offset,
                        records,
                        "record of " + length + " bytes runs " + (recordEnd - end) + " bytes past the end");
            }
            ByteBuffer payload = window.slice(offset + HEADER_BYTES, length);
            crc.reset();
            crc.update(payload.duplicate());
            int actualCrc = (int) crc.getValue();
            if (actualCrc != storedCrc) {
                String reason = String.format("CRC32C 0x%08x, want 0x%08x", actualCrc, storedCrc);
                return window.allZero(recordEnd, end)
                        ? new ScanResult(Verdict.TORN, offset, records, reason + " in the final record")
                        : new ScanResult(Verdict.CORRUPT, offset, records, reason + ", followed by more data");
            }
            records++;
            boolean more = visitor.visit(offset, payload.asReadOnlyBuffer());
            offset = recordEnd;
            if (!more) {
                break;
            }
        }
        return new ScanResult(Verdict.CLEAN, offset, records, "");
    }

    /** A read-ahead buffer over a channel, refilled with positional reads. */
    private static final class Window {
        private final FileChannel channel;
        private final ByteBuffer buffer;
        private final long end;
        private long bufferStart;

        Window(FileChannel channel, int capacity, long end) {
            this.channel = channel;
            this.buffer = ByteBuffer.allocate(capacity);
            this.end = end;
            this.buffer.limit(0);
        }

        /** A view of {@code [offset, offset + length)}; valid until the next call. */
        ByteBuffer slice(long offset, int length) throws IOException {
            if (offset < bufferStart || offset + length > bufferStart + buffer.limit()) {
                fill(offset, length);
            }
            return buffer.slice((int) (offset - bufferStart), length);
        }

        private void fill(long offset, int length) throws IOException {
            buffer.clear();
            bufferStart = offset;
            long want = Math.min(buffer.capacity(), end - offset);
            buffer.limit((int) want);
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, offset + buffer.position());
                if (n < 0) {
                    throw new IOException(
                            "unexpected end of file at " + (offset + buffer.position()) + ", want " + end);
                }
            }
            buffer.flip();
            if (buffer.limit() < length) {
                throw new IOException("window of " + buffer.capacity() + " bytes cannot hold " + length);
            }
        }

        boolean allZero(long from, long to) throws IOException {
            long offset = from;
            while (offset < to) {
                int chunk = (int) Math.min(buffer.capacity(), to - offset);
                ByteBuffer bytes = slice(offset, chunk);
                while (bytes.hasRemaining()) {
                    if (bytes.get() != 0) {
                        return false;
                    }
                }
                offset += chunk;
            }
            return true;
        }
    }
}
