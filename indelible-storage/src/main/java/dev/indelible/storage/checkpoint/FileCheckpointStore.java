package dev.indelible.storage.checkpoint;

import dev.indelible.storage.Corruption;
import dev.indelible.storage.CorruptionException;
import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.io.RecordFraming;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CheckpointStore} on one file: an 8-byte header, then records framed as in
 * {@link RecordFraming} whose payload is {@code [u64 BE treeSize][signed note]}.
 *
 * <p>The in-memory index (tree sizes and offsets) is replaced as a whole when it grows and
 * published through a volatile count, so readers never see a half-written slot.
 */
final class FileCheckpointStore implements CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileCheckpointStore.class);
    static final int HEADER_BYTES = 8;
    private static final byte[] MAGIC = {'I', 'D', 'L', 'C', 'K', 'P', 0x00, 0x01};

    /** Tree sizes and record offsets; only the first {@code count} slots are meaningful. */
    private record Index(long[] treeSizes, long[] offsets) {}

    private final Path file;
    private final FileChannel channel;
    private volatile Index index = new Index(new long[64], new long[64]);
    private volatile int count;
    private long end;
    private long truncatedBytes;
    private Corruption corruption;
    private volatile StorageFailedException failure;

    private FileCheckpointStore(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    static CheckpointStore open(Path file, FileIO io) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        io.createDirectories(parent);
        boolean created = !io.exists(file);
        FileChannel channel =
                io.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileCheckpointStore store = new FileCheckpointStore(file, channel);
        try {
            store.recover();
            if (created) {
                io.syncDirectory(parent);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return store;
    }

    private void recover() throws IOException {
        long size = channel.size();
        ByteBuffer header = ByteBuffer.allocate((int) Math.min(HEADER_BYTES, size));
        readFully(header, 0);
        if (size < HEADER_BYTES || allZero(header.array())) {
            if (size > HEADER_BYTES) {
                failWith(new Corruption(file, 0, Corruption.NOT_A_LEAF, "zero header followed by data"));
                return;
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(MAGIC), 0);
            channel.force(false);
            end = HEADER_BYTES;
            return;
        }
        if (!Arrays.equals(header.array(), MAGIC)) {
            failWith(new Corruption(
                    file,
                    0,
                    Corruption.NOT_A_LEAF,
                    "bad header " + java.util.HexFormat.of().formatHex(header.array())));
            return;
        }
        String[] problem = {null};
        long[] problemOffset = {0};
        RecordFraming.ScanResult scan = RecordFraming.scan(
                channel, HEADER_BYTES, size, SIGNED_NOTE_MAX_BYTES + Long.BYTES, (offset, payload) -> {
                    long treeSize = payload.remaining() < Long.BYTES ? -1 : payload.getLong(0);
                    long previous = count == 0 ? -1 : index.treeSizes()[count - 1];
                    if (payload.remaining() <= Long.BYTES || treeSize <= previous) {
                        problem[0] = "record with tree size " + treeSize + " after " + previous + " ("
                                + payload.remaining() + " payload bytes)";
                        problemOffset[0] = offset;
                        return false;
                    }
                    add(treeSize, offset);
                    return true;
                });
        if (problem[0] != null) {
            failWith(new Corruption(file, problemOffset[0], Corruption.NOT_A_LEAF, problem[0]));
            return;
        }
        switch (scan.verdict()) {
            case CLEAN -> channel.force(false);
            case TORN -> {
                LOG.warn(
                        "truncating torn tail of {}: {} bytes at offset {} ({})",
                        file,
                        size - scan.validEnd(),
                        scan.validEnd(),
                        scan.reason());
                truncatedBytes = size - scan.validEnd();
                channel.truncate(scan.validEnd());
                channel.force(false);
            }
            case CORRUPT -> failWith(new Corruption(file, scan.validEnd(), Corruption.NOT_A_LEAF, scan.reason()));
        }
        end = scan.validEnd();
    }

    private void failWith(Corruption found) {
        corruption = found;
        failure = new CorruptionException(found);
        LOG.error("checkpoint history is corrupt: {}", found);
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Adds an entry and publishes it. */
    private void add(long treeSize, long offset) {
        Index current = index;
        int n = count;
        if (n == current.treeSizes().length) {
            current = new Index(Arrays.copyOf(current.treeSizes(), n * 2), Arrays.copyOf(current.offsets(), n * 2));
        }
        current.treeSizes()[n] = treeSize;
        current.offsets()[n] = offset;
        index = current;
        count = n + 1;
    }

    @Override
    public synchronized void append(long treeSize, byte[] signedNote) {
        StorageFailedException failed = failure;
        if (failed != null) {
            throw new StorageFailedException(
                    "checkpoint history " + file + " is failed: " + failed.getMessage(), failed);
        }
        if (signedNote.length < 1 || signedNote.length > SIGNED_NOTE_MAX_BYTES) {
            throw new IllegalArgumentException(
                    "signed note of " + signedNote.length + " bytes, want [1, " + SIGNED_NOTE_MAX_BYTES + "]");
        }
        long latest = count == 0 ? -1 : index.treeSizes()[count - 1];
        if (treeSize <= latest) {
            throw new IllegalArgumentException("tree size " + treeSize + ", want > " + latest);
        }
        ByteBuffer payload = ByteBuffer.allocate(Long.BYTES + signedNote.length)
                .putLong(treeSize)
                .put(signedNote)
                .flip();
        ByteBuffer record = ByteBuffer.allocate(RecordFraming.HEADER_BYTES + payload.remaining());
        record.putInt(payload.remaining())
                .putInt(RecordFraming.crc32c(payload))
                .put(payload)
                .flip();
        try {
            long at = end;
            while (record.hasRemaining()) {
                at += channel.write(record, at);
            }
            channel.force(false);
        } catch (IOException e) {
            failure = new StorageFailedException("appending checkpoint " + treeSize + " to " + file + " failed", e);
            LOG.error("checkpoint history {} is now failed", file, e);
            throw failure;
        }
        add(treeSize, end);
        end += record.limit();
    }

    @Override
    public Optional<StoredCheckpoint> latest() {
        int n = count;
        return n == 0 ? Optional.empty() : Optional.of(read(index, n - 1));
    }

    @Override
    public Optional<StoredCheckpoint> firstAtLeast(long treeSize) {
        int n = count;
        Index current = index;
        int low = 0;
        int high = n;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (current.treeSizes()[mid] < treeSize) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low == n ? Optional.empty() : Optional.of(read(current, low));
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public Stream<StoredCheckpoint> stream() {
        int n = count;
        Index current = index;
        return LongStream.range(0, n).mapToObj(i -> read(current, (int) i));
    }

    private StoredCheckpoint read(Index at, int ordinal) {
        long offset = at.offsets()[ordinal];
        try {
            ByteBuffer header = ByteBuffer.allocate(RecordFraming.HEADER_BYTES);
            readFully(header, offset);
            int length = header.getInt(0);
            if (length <= Long.BYTES || length > SIGNED_NOTE_MAX_BYTES + Long.BYTES) {
                throw corrupt(offset, "record length " + Integer.toUnsignedString(length));
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(payload, offset + RecordFraming.HEADER_BYTES);
            payload.flip();
            int crc = RecordFraming.crc32c(payload);
            if (crc != header.getInt(4)) {
                throw corrupt(offset, String.format("CRC32C 0x%08x, want 0x%08x", crc, header.getInt(4)));
            }
            long treeSize = payload.getLong();
            if (treeSize != at.treeSizes()[ordinal]) {
                throw corrupt(offset, "tree size " + treeSize + ", indexed as " + at.treeSizes()[ordinal]);
            }
            byte[] note = new byte[payload.remaining()];
            payload.get(note);
            return new StoredCheckpoint(treeSize, note);
        } catch (IOException e) {
            throw new UncheckedIOException("reading checkpoint at " + offset + " of " + file, e);
        }
    }

    private CorruptionException corrupt(long offset, String reason) {
        return new CorruptionException(new Corruption(file, offset, Corruption.NOT_A_LEAF, reason));
    }

    private void readFully(ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of " + file + " at " + at);
            }
            at += n;
        }
    }

    @Override
    public Optional<Corruption> corruption() {
        return Optional.ofNullable(corruption);
    }

    @Override
    public long truncatedBytes() {
        return truncatedBytes;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("closing {} failed", file, e);
        }
    }

    @Override
    public String toString() {
        return "checkpoint history " + file + " (" + count + " checkpoints, "
                + new String(MAGIC, 0, 6, StandardCharsets.US_ASCII) + ")";
    }
}
