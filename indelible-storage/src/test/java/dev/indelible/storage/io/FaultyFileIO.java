package dev.indelible.storage.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A {@link FileIO} over the real file system that injects the failures a disk and a power cut
 * produce: a write torn after K bytes followed by a crash, failing {@code force}, a full disk, a
 * failing rename, and {@link #simulateCrash()}, which cuts every file back to a length a power loss
 * may leave (between its last fsync'd length and its current length, chosen by a seeded
 * {@link Random}).
 *
 * <p>After a crash (a torn write, or {@link #crashNow()}), every operation throws until
 * {@link #simulateCrash()} "reboots" the machine; channels opened before the reboot stay dead.
 * Directory entries are modelled as durable once created (no lost creates or renames). Thread-safe
 * (one lock).
 */
public final class FaultyFileIO implements FileIO {
    private final FileIO disk = FileIO.posix();
    private final Random random;
    private final Map<Path, long[]> lengths = new HashMap<>();
    private final List<FaultyChannel> channels = new ArrayList<>();
    private long tearAfterBytes = -1;
    private long diskFreeBytes = -1;
    private int forcesBeforeFailure = -1;
    private boolean failNextMove;
    private long forceDelayMillis;
    private java.util.function.Predicate<String> heldNames;
    private int heldForces;
    private boolean crashed;
    private int generation;

    /** A seam with no fault armed; {@code seed} drives the lengths {@link #simulateCrash()} picks. */
    public FaultyFileIO(long seed) {
        this.random = new Random(seed);
    }

    /** The next writes succeed for {@code bytes} more bytes; the write that crosses tears there and crashes. */
    public synchronized void tearWriteAfter(long bytes) {
        tearAfterBytes = bytes;
    }

    /** After {@code successes} more successful forces, every force fails (never heals, like a real disk error). */
    public synchronized void failForceAfter(int successes) {
        forcesBeforeFailure = successes;
    }

    /** Every later fsync takes at least {@code millis} longer, so that writes race with it. */
    public synchronized void delayForces(long millis) {
        forceDelayMillis = millis;
    }

    private synchronized long forceDelayMillis() {
        return forceDelayMillis;
    }

    /**
     * From now on, an fsync of a file named {@code fileName} waits until {@link #releaseForces} (a
     * disk stuck on that file).
     */
    public synchronized void holdForcesOf(String fileName) {
        heldNames = fileName::equals;
    }

    /** Like {@link #holdForcesOf}, for every file whose name starts with {@code prefix}. */
    public synchronized void holdForcesOfNamesStartingWith(String prefix) {
        heldNames = name -> name.startsWith(prefix);
    }

    /** Like {@link #holdForcesOf}, for every file whose name {@code names} accepts. */
    public synchronized void holdForcesOfNamesMatching(java.util.function.Predicate<String> names) {
        heldNames = names;
    }

    /** Like {@link #holdForcesOf}, for every file whose name ends with {@code suffix}. */
    public synchronized void holdForcesOfNamesEndingWith(String suffix) {
        heldNames = name -> name.endsWith(suffix);
    }

    /** Lets every held fsync, and every later one, go on. */
    public synchronized void releaseForces() {
        heldNames = null;
        notifyAll();
    }

    /** How many fsyncs wait in {@link #holdForcesOf} now. */
    public synchronized int heldForces() {
        return heldForces;
    }

    private synchronized void awaitUnheld(Path path) throws IOException {
        while (heldNames != null && heldNames.test(path.getFileName().toString())) {
            heldForces++;
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted during a held fsync");
            } finally {
                heldForces--;
            }
        }
    }

    /** Writes fail with "No space left on device" once {@code bytes} more bytes have been written. */
    public synchronized void diskFullAfter(long bytes) {
        diskFreeBytes = bytes;
    }

    /** The next {@link #moveAtomically} fails without moving anything. */
    public synchronized void failNextMove() {
        failNextMove = true;
    }

    /** Crashes now: every later operation throws until {@link #simulateCrash()}. */
    public synchronized void crashNow() {
        crashed = true;
    }

    /** Whether the seam has crashed and awaits {@link #simulateCrash()}. */
    public synchronized boolean crashed() {
        return crashed;
    }

    /** The length of {@code file} as of its last successful fsync (as tracked by this seam). */
    public synchronized long syncedLength(Path file) {
        long[] tracked = lengths.get(file);
        return tracked == null ? -1 : tracked[0];
    }

    /**
     * Power loss and reboot: every tracked file is cut to a random length between its last synced
     * length and its current length; faults are disarmed; old channels are dead.
     */
    public synchronized void simulateCrash() throws IOException {
        cut(false);
    }

    /** Like {@link #simulateCrash()}, but every file loses all unsynced bytes. */
    public synchronized void simulateCrashLosingUnsynced() throws IOException {
        cut(true);
    }

    private void cut(boolean toSynced) throws IOException {
        for (FaultyChannel channel : channels) {
            channel.delegate.close();
        }
        channels.clear();
        for (Map.Entry<Path, long[]> entry : lengths.entrySet()) {
            Path path = entry.getKey();
            long[] tracked = entry.getValue();
            if (!disk.exists(path)) {
                continue;
            }
            try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
                tracked[1] = file.size();
            }
            long synced = Math.min(tracked[0], tracked[1]);
            long keep = toSynced || tracked[1] == synced
                    ? synced
                    : synced + (long) (random.nextDouble() * (tracked[1] - synced + 1));
            keep = Math.min(keep, tracked[1]);
            if (keep < tracked[1]) {
                try (FileChannel file = FileChannel.open(path, StandardOpenOption.WRITE)) {
                    file.truncate(keep);
                }
            }
            tracked[0] = keep;
            tracked[1] = keep;
        }
        generation++;
        crashed = false;
        tearAfterBytes = -1;
        diskFreeBytes = -1;
        forcesBeforeFailure = -1;
        failNextMove = false;
    }

    private void checkAlive(int channelGeneration) throws IOException {
        if (crashed || channelGeneration != generation) {
            throw new IOException("simulated crash: the machine is down");
        }
    }

    @Override
    public synchronized FileChannel open(Path path, OpenOption... options) throws IOException {
        checkAlive(generation);
        FileChannel delegate = disk.open(path, options);
        long size = delegate.size();
        lengths.computeIfAbsent(path, p -> new long[] {size, size});
        FaultyChannel channel =
                new FaultyChannel(path, delegate, generation, Set.of(options).contains(StandardOpenOption.WRITE));
        channels.add(channel);
        return channel;
    }

    @Override
    public synchronized void moveAtomically(Path source, Path target) throws IOException {
        checkAlive(generation);
        if (failNextMove) {
            failNextMove = false;
            throw new IOException("rename " + source + " -> " + target + " failed (injected)");
        }
        disk.moveAtomically(source, target);
        long[] tracked = lengths.remove(source);
        if (tracked != null) {
            lengths.put(target, tracked);
        }
    }

    @Override
    public synchronized void syncDirectory(Path directory) throws IOException {
        checkAlive(generation);
        disk.syncDirectory(directory);
    }

    @Override
    public synchronized void createDirectories(Path directory) throws IOException {
        checkAlive(generation);
        disk.createDirectories(directory);
    }

    @Override
    public synchronized void makeReadOnly(Path file) throws IOException {
        checkAlive(generation);
        disk.makeReadOnly(file);
    }

    @Override
    public synchronized void deleteIfExists(Path file) throws IOException {
        checkAlive(generation);
        disk.deleteIfExists(file);
        lengths.remove(file);
    }

    @Override
    public synchronized List<Path> list(Path directory) throws IOException {
        checkAlive(generation);
        return disk.list(directory);
    }

    @Override
    public boolean exists(Path path) {
        return disk.exists(path);
    }

    /** How many bytes of a {@code requested}-byte write may go through; arms the crash or ENOSPC. */
    private synchronized int admitWrite(int channelGeneration, int requested) throws IOException {
        checkAlive(channelGeneration);
        int allowed = requested;
        if (tearAfterBytes >= 0) {
            allowed = (int) Math.min(allowed, tearAfterBytes);
        }
        if (diskFreeBytes >= 0) {
            allowed = (int) Math.min(allowed, diskFreeBytes);
        }
        if (tearAfterBytes >= 0) {
            tearAfterBytes -= allowed;
        }
        if (diskFreeBytes >= 0) {
            diskFreeBytes -= allowed;
        }
        return allowed;
    }

    private synchronized void afterShortWrite(Path path) throws IOException {
        if (tearAfterBytes == 0) {
            crashed = true;
            throw new IOException("simulated crash during write to " + path);
        }
        throw new IOException("No space left on device");
    }

    private synchronized void recordWrite(Path path, long size) {
        long[] tracked = lengths.get(path);
        if (tracked != null) {
            tracked[1] = Math.max(tracked[1], size);
        }
    }

    private synchronized void admitForce(int channelGeneration, Path path) throws IOException {
        checkAlive(channelGeneration);
        if (forcesBeforeFailure == 0) {
            throw new IOException("fsync of " + path + " failed (injected)");
        }
        if (forcesBeforeFailure > 0) {
            forcesBeforeFailure--;
        }
    }

    /** {@code size} is the length seen before the fsync: bytes written during it may not be covered. */
    private synchronized void recordForce(Path path, long size) {
        long[] tracked = lengths.get(path);
        if (tracked != null) {
            tracked[0] = Math.max(tracked[0], size);
            tracked[1] = Math.max(tracked[1], size);
        }
    }

    private synchronized void recordTruncate(Path path, long size) {
        long[] tracked = lengths.get(path);
        if (tracked != null) {
            tracked[0] = Math.min(tracked[0], size);
            tracked[1] = size;
        }
    }

    /** A channel that consults the seam before every operation. */
    private final class FaultyChannel extends FileChannel {
        private final Path path;
        private final FileChannel delegate;
        private final int channelGeneration;
        private final boolean writable;

        FaultyChannel(Path path, FileChannel delegate, int channelGeneration, boolean writable) {
            this.path = path;
            this.delegate = delegate;
            this.channelGeneration = channelGeneration;
            this.writable = writable;
        }

        private void alive() throws IOException {
            synchronized (FaultyFileIO.this) {
                checkAlive(channelGeneration);
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            alive();
            return delegate.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            alive();
            return delegate.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            alive();
            return delegate.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return write(src, -1);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            int requested = src.remaining();
            int allowed = admitWrite(channelGeneration, requested);
            ByteBuffer part = src.slice(src.position(), allowed);
            int written = position < 0 ? writeFully(part) : writeFully(part, position);
            src.position(src.position() + written);
            recordWrite(path, delegate.size());
            if (allowed < requested) {
                afterShortWrite(path);
            }
            return written;
        }

        private int writeFully(ByteBuffer part) throws IOException {
            int written = 0;
            while (part.hasRemaining()) {
                written += delegate.write(part);
            }
            return written;
        }

        private int writeFully(ByteBuffer part, long position) throws IOException {
            int written = 0;
            while (part.hasRemaining()) {
                written += delegate.write(part, position + written);
            }
            return written;
        }

        @Override
        public long position() throws IOException {
            alive();
            return delegate.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            alive();
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            alive();
            return delegate.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            alive();
            delegate.truncate(size);
            recordTruncate(path, delegate.size());
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            admitForce(channelGeneration, path);
            awaitUnheld(path);
            admitForce(channelGeneration, path); // the power may have failed while it was held
            long before = delegate.size();
            long delay = forceDelayMillis();
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted during a delayed fsync");
                }
                admitForce(channelGeneration, path); // the power may have failed meanwhile
            }
            delegate.force(metaData);
            if (writable) {
                recordForce(path, before);
            }
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            alive();
            return delegate.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            throw new UnsupportedOperationException("transferFrom bypasses fault injection");
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            throw new UnsupportedOperationException("map bypasses fault injection");
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            alive();
            return delegate.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            alive();
            return delegate.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            delegate.close();
        }
    }
}
