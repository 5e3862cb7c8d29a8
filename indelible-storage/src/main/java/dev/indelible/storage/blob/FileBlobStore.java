package dev.indelible.storage.blob;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.storage.Corruption;
import dev.indelible.storage.CorruptionException;
import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link BlobStore} on one file per body through {@link FileIO}. */
final class FileBlobStore implements BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileBlobStore.class);
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path directory;
    private final FileIO io;
    private final AtomicLong tempCounter = new AtomicLong();
    private volatile StorageFailedException failure;

    private FileBlobStore(Path directory, FileIO io) {
        this.directory = directory;
        this.io = io;
    }

    static BlobStore open(Path directory, FileIO io) throws IOException {
        io.createDirectories(directory);
        return new FileBlobStore(directory, io);
    }

    private Path pathOf(Hash digest) {
        String hex = digest.hex();
        return directory.resolve(hex.substring(0, 2)).resolve(hex);
    }

    @Override
    public Hash put(byte[] body) {
        if (body.length < 1 || body.length > BODY_MAX_BYTES) {
            throw new IllegalArgumentException("body of " + body.length + " bytes, want [1, " + BODY_MAX_BYTES + "]");
        }
        StorageFailedException failed = failure;
        if (failed != null) {
            throw new StorageFailedException("blob store " + directory + " is failed: " + failed.getMessage(), failed);
        }
        Hash digest = Rfc9162.sha256(body);
        Path target = pathOf(digest);
        if (io.exists(target)) {
            return digest;
        }
        Path shard = target.getParent();
        Path temp = shard.resolve("." + target.getFileName() + "." + tempCounter.incrementAndGet() + TEMP_SUFFIX);
        try {
            if (!io.exists(shard)) {
                io.createDirectories(shard);
                io.syncDirectory(directory);
            }
            try (FileChannel out = io.open(
                    temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(body);
                long at = 0;
                while (bytes.hasRemaining()) {
                    at += out.write(bytes, at);
                }
                out.force(false);
            }
            io.makeReadOnly(temp);
            io.moveAtomically(temp, target);
            io.syncDirectory(shard);
            return digest;
        } catch (IOException e) {
            StorageFailedException failedNow = new StorageFailedException("storing blob " + digest + " failed", e);
            failure = failedNow;
            LOG.error("blob store {} is now failed", directory, e);
            try {
                io.deleteIfExists(temp);
            } catch (IOException ignored) {
                // Best effort: a leftover temp file is never read.
            }
            throw failedNow;
        }
    }

    @Override
    public Optional<byte[]> get(Hash digest) {
        Path file = pathOf(digest);
        if (!io.exists(file)) {
            return Optional.empty();
        }
        try (FileChannel in = io.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            if (size > BODY_MAX_BYTES) {
                throw new CorruptionException(new Corruption(
                        file, 0, Corruption.NOT_A_LEAF, "blob of " + size + " bytes exceeds " + BODY_MAX_BYTES));
            }
            ByteBuffer body = ByteBuffer.allocate((int) size);
            while (body.hasRemaining()) {
                if (in.read(body, body.position()) < 0) {
                    throw new IOException("unexpected end of " + file);
                }
            }
            Hash actual = Rfc9162.sha256(body.array());
            if (!actual.equals(digest)) {
                throw new CorruptionException(new Corruption(
                        file, 0, Corruption.NOT_A_LEAF, "blob hashes to " + actual + ", want " + digest));
            }
            return Optional.of(body.array());
        } catch (IOException e) {
            throw new UncheckedIOException("reading blob " + file, e);
        }
    }

    @Override
    public void close() {
        // No open files between calls.
    }
}
