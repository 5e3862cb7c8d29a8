package dev.indelible.storage.hashes;

import dev.indelible.formats.merkle.Hash;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One row file: published hashes on disk, then hashes the writer has sunk but not yet flushed in a
 * reused direct buffer (so a batch costs one write per row).
 */
final class HashRow implements AutoCloseable {
    private static final int PENDING_HASHES = 2048;

    final int row;
    final Path path;
    final FileChannel channel;
    private final ByteBuffer pending = ByteBuffer.allocateDirect(PENDING_HASHES * Hash.SIZE);
    private final byte[] scratch = new byte[Hash.SIZE];
    private volatile long published;
    boolean unsynced;

    HashRow(int row, Path path, FileChannel channel, long published) {
        this.row = row;
        this.path = path;
        this.channel = channel;
        this.published = published;
    }

    long published() {
        return published;
    }

    /** Published plus pending: the next index this row expects (writer only). */
    long total() {
        return published + pending.position() / Hash.SIZE;
    }

    /** Writer only. */
    void append(Hash hash) throws IOException {
        if (!pending.hasRemaining()) {
            flush();
        }
        hash.copyTo(scratch, 0);
        pending.put(scratch);
    }

    /** Writer only: writes pending hashes after the published ones, then publishes them. */
    void flush() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        long count = pending.position() / Hash.SIZE;
        pending.flip();
        long at = published * Hash.SIZE;
        while (pending.hasRemaining()) {
            at += channel.write(pending, at);
        }
        pending.clear();
        unsynced = true;
        published += count;
    }

    /** Writer only: drops hashes from {@code count} on (flushes first). */
    void truncate(long count) throws IOException {
        flush();
        if (published > count) {
            channel.truncate(count * Hash.SIZE);
            published = count;
            unsynced = true;
        }
    }

    /** Hashes {@code [from, from + count)}; entries past {@link #published()} come from the writer's buffer. */
    byte[] read(long from, int count) throws IOException {
        byte[] out = new byte[count * Hash.SIZE];
        long onDisk = Math.max(0, Math.min(count, published - from));
        if (onDisk > 0) {
            ByteBuffer target = ByteBuffer.wrap(out, 0, (int) onDisk * Hash.SIZE);
            long at = from * Hash.SIZE;
            while (target.hasRemaining()) {
                int n = channel.read(target, at);
                if (n < 0) {
                    throw new IOException("row " + path + " ends before hash " + (from + onDisk));
                }
                at += n;
            }
        }
        if (onDisk < count) {
            long pendingFrom = from + onDisk - published;
            pending.get(
                    (int) (pendingFrom * Hash.SIZE), out, (int) onDisk * Hash.SIZE, (int) (count - onDisk) * Hash.SIZE);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing unsynced can be saved by a close.
        }
    }
}
