package dev.indelible.storage.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The file-I/O seam. Every byte indelible persists goes through one of these methods, so that tests
 * can substitute an implementation that tears writes, fails {@code force}, fails renames or reports
 * a full disk, and then check that recovery keeps every acknowledged entry.
 *
 * <p>Contract for implementations: {@link FileChannel#force(boolean)} on a returned channel MUST
 * either make all bytes written so far durable or throw; callers MUST treat any exception from
 * {@code force} as fatal for the file (the page cache state is unknown after a failed fsync) and
 * MUST NOT retry it.
 */
public interface FileIO {
    /** The real file system. */
    static FileIO posix() {
        return PosixFileIO.INSTANCE;
    }

    /** Opens a channel, as {@link FileChannel#open(Path, OpenOption...)}. */
    FileChannel open(Path path, OpenOption... options) throws IOException;

    /** Renames {@code source} to {@code target} atomically, replacing {@code target}. */
    void moveAtomically(Path source, Path target) throws IOException;

    /** fsyncs a directory, making creations, renames and deletions in it durable. */
    void syncDirectory(Path directory) throws IOException;

    /** Creates {@code directory} and its parents if missing. */
    void createDirectories(Path directory) throws IOException;

    /** Removes write permission from a sealed file, so that no process can alter it by accident. */
    void makeReadOnly(Path file) throws IOException;

    /** Deletes a file if it exists. */
    void deleteIfExists(Path file) throws IOException;

    /** The regular files directly inside {@code directory}, sorted by name; empty if it is missing. */
    List<Path> list(Path directory) throws IOException;

    /** Whether {@code path} exists. */
    boolean exists(Path path);

    /**
     * Replaces {@code target} with {@code content} so that a crash leaves either the old or the new
     * file, never a mix: write a temp file beside it, fsync it, rename it over the target, fsync
     * the directory.
     */
    default void replaceAtomically(Path target, byte[] content) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel =
                open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        moveAtomically(temp, target);
        syncDirectory(target.getParent());
    }
}
