package dev.indelible.storage.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Helpers for tests that damage real files the way disks and crashes do. */
public final class TestFiles {
    private TestFiles() {}

    /** XORs the byte at {@code offset} with 0xFF (making a read-only file writable first). */
    public static void flipByte(Path file, long offset) {
        try {
            makeWritable(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer one = ByteBuffer.allocate(1);
                channel.read(one, offset);
                one.put(0, (byte) (one.get(0) ^ 0xFF)).rewind();
                channel.write(one, offset);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cuts {@code file} to {@code length} bytes. */
    public static void truncate(Path file, long length) {
        try {
            makeWritable(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends {@code count} zero bytes, as a file system may after a crash. */
    public static void appendZeros(Path file, int count) {
        try {
            Files.write(file, new byte[count], StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether anyone may write {@code file} according to its permission bits. */
    public static boolean hasWritePermission(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(PosixFilePermission.OWNER_WRITE)
                    || permissions.contains(PosixFilePermission.GROUP_WRITE)
                    || permissions.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void makeWritable(Path file) throws IOException {
        Set<PosixFilePermission> permissions = EnumSet.copyOf(Files.getPosixFilePermissions(file));
        permissions.add(PosixFilePermission.OWNER_WRITE);
        Files.setPosixFilePermissions(file, permissions);
    }

    /** {@code count} random entries of 1..{@code maxBytes} bytes, deterministic in {@code seed}. */
    public static List<byte[]> entries(long seed, int count, int maxBytes) {
        Random random = new Random(seed);
        List<byte[]> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] entry = new byte[1 + random.nextInt(maxBytes)];
            random.nextBytes(entry);
            entries.add(entry);
        }
        return entries;
    }

    /** The bytes of {@code file}. */
    public static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
