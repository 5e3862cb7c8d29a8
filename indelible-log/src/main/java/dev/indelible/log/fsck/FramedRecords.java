package dev.indelible.log.fsck;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A sequential, read-only reader of the records of one file framed as in {@code
 * docs/design/storage-format.md} §Record framing ({@code [u32 length][u32 CRC32C][payload]}).
 *
 * <p>It classifies the first invalid record by the recovery rule of §Recovery: a crash can only cut
 * a file short or leave zeros, so an incomplete header, a record running past the end, a bad CRC
 * followed only by zeros, or a zero length followed only by zeros is a <em>torn tail</em>; anything
 * else (a length above the limit, a zero length or a bad CRC followed by data) is
 * <em>corruption</em>. Written from the documented layout rather than shared with the storage
 * module, so that fsck checks the format, not the code that wrote it.
 */
final class FramedRecords implements AutoCloseable {
    /** How the records of the file ended. */
    enum End {
        /** Not yet at the end. */
        NONE,
        /** Every record up to the end of the file is valid. */
        CLEAN,
        /** The bytes from {@link #offset()} on are a torn tail. */
        TORN,
        /** The record at {@link #offset()} is corrupt. */
        CORRUPT
    }

    private static final int HEADER_BYTES = 8;
    private static final int BUFFER_BYTES = 1 << 16;

    private final FileChannel channel;
    private final DataInputStream in;
    private final long size;
    private final int payloadLimitBytes;
    private final CRC32C crc = new CRC32C();
    private long offset;
    private End end = End.NONE;
    private String reason = "";

    private FramedRecords(FileChannel channel, long start, int payloadLimitBytes) throws IOException {
        this.channel = channel;
        this.size = channel.size();
        this.payloadLimitBytes = payloadLimitBytes;
        this.offset = start;
        channel.position(start);
        this.in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), BUFFER_BYTES));
    }

    /** Opens {@code file} read-only and positions the reader at {@code start}. */
    static FramedRecords open(Path file, long start, int payloadLimitBytes) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new FramedRecords(channel, start, payloadLimitBytes);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The next valid payload, or null once the records have ended (see {@link #end()}). */
    byte[] next() throws IOException {
        if (end != End.NONE) {
            return null;
        }
        long remaining = size - offset;
        if (remaining == 0) {
            return stop(End.CLEAN, "");
        }
        if (remaining < HEADER_BYTES) {
            return stop(End.TORN, "incomplete record header, " + remaining + " bytes");
        }
        int length = in.readInt();
        int storedCrc = in.readInt();
        if (length == 0) {
            return zeroFrom(offset)
                    ? stop(End.TORN, "zero-filled tail")
                    : stop(End.CORRUPT, "record length 0 followed by data");
        }
        if (length < 0 || length > payloadLimitBytes) {
            return stop(
                    End.CORRUPT,
                    "record length " + Integer.toUnsignedString(length) + " exceeds limit " + payloadLimitBytes);
        }
        long recordEnd = offset + HEADER_BYTES + length;
        if (recordEnd > size) {
            return stop(End.TORN, "record of " + length + " bytes runs " + (recordEnd - size) + " bytes past the end");
        }
        byte[] payload = new byte[length];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            throw new IOException("file shrank while being read, at offset " + offset, e);
        }
        crc.reset();
        crc.update(payload);
        int actualCrc = (int) crc.getValue();
        if (actualCrc != storedCrc) {
            String why = String.format("CRC32C 0x%08x, want 0x%08x", actualCrc, storedCrc);
            return zeroFrom(recordEnd)
                    ? stop(End.TORN, why + " in the final record")
                    : stop(End.CORRUPT, why + ", followed by more data");
        }
        offset = recordEnd;
        return payload;
    }

    /** How the records ended; {@link End#NONE} while {@link #next()} still returns payloads. */
    End end() {
        return end;
    }

    /** Why the record at {@link #offset()} is invalid; empty if clean. */
    String reason() {
        return reason;
    }

    /** The offset just past the last valid record read (of the invalid record, once ended). */
    long offset() {
        return offset;
    }

    /** Bytes from {@link #offset()} to the end of the file. */
    long remainingBytes() {
        return size - offset;
    }

    private byte[] stop(End how, String why) {
        end = how;
        reason = why;
        return null;
    }

    /** Whether every byte from {@code from} to the end is zero (positional reads: the stream is unaffected). */
    private boolean zeroFrom(long from) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        long position = from;
        while (position < size) {
            buffer.clear();
            int n = channel.read(buffer, position);
            if (n < 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buffer.get(i) != 0) {
                    return false;
                }
            }
            position += n;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
