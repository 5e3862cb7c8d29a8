package dev.indelible.log;

import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.merkle.CompactRange;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.LeafHasher;
import dev.indelible.formats.merkle.MerkleProofs;
import dev.indelible.formats.note.Notes;
import dev.indelible.storage.CorruptionException;
import dev.indelible.storage.blob.BlobStore;
import dev.indelible.storage.checkpoint.CheckpointStore;
import dev.indelible.storage.checkpoint.StoredCheckpoint;
import dev.indelible.storage.hashes.HashStore;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.segment.SegmentOptions;
import dev.indelible.storage.segment.SegmentStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The materialized state of one log: its segments (the entries), hash rows (the tree), checkpoint
 * history and detached bodies, and the apply step that extends them.
 *
 * <p><b>Durability.</b> Entries are durable once {@link #syncEntries()} returns (a replica whose
 * tail is replayable publishes them earlier with {@link #publishEntries()}, and they are fsync'd
 * before any checkpoint covering them is stored). Hash rows are
 * derived data: they are fsync'd before each checkpoint is published, and on open every leaf beyond
 * the latest stored checkpoint is re-hashed from the segments, so a crash can never leave a tree
 * that disagrees with the entries. The root recomputed at the latest checkpoint's size must equal
 * that checkpoint's root; otherwise the hash rows are rebuilt from the segments, and if they still
 * disagree the log opens <em>failed</em> (corruption), refusing appends.
 *
 * <p><b>Threads.</b> One writer thread calls {@link #integrate}, {@link #syncEntries} and {@link
 * #storeCheckpoint}; any thread may read, and sees the tree up to the last published {@link #head()};
 * any one other thread may call {@link #syncWrittenEntries}.
 */
public final class LogStorage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogStorage.class);

    private final Path directory;
    private final SegmentStore segments;
    private final HashStore hashes;
    private final CheckpointStore checkpoints;
    private final BlobStore blobs;
    private final CompactRange range;
    private final boolean tailReplayable;
    private volatile TreeHead head;
    private volatile String failure;

    private LogStorage(
            Path directory,
            SegmentStore segments,
            HashStore hashes,
            CheckpointStore checkpoints,
            BlobStore blobs,
            CompactRange range,
            boolean tailReplayable) {
        this.directory = directory;
        this.tailReplayable = tailReplayable;
        this.segments = segments;
        this.hashes = hashes;
        this.checkpoints = checkpoints;
        this.blobs = blobs;
        this.range = range;
        this.head = new TreeHead(range.size(), range.rootHash());
    }

    /** Opens (creating if needed) and recovers the log stored in {@code directory}. */
    public static LogStorage open(Path directory, FileIO io, LogConfig config) throws IOException {
        io.createDirectories(directory);
        CheckpointStore checkpoints = CheckpointStore.open(directory.resolve("checkpoints"), io);
        SegmentOptions options = SegmentOptions.defaults().withSegmentMaxBytes(config.segmentMaxBytes());
        if (config.tailReplayable()) {
            options = options.withUnsyncedFrom(
                    checkpoints.latest().map(StoredCheckpoint::treeSize).orElse(0L));
        }
        SegmentStore segments = SegmentStore.open(directory.resolve("segments"), io, options);
        HashStore hashes = HashStore.open(directory.resolve("hashes"), io);
        BlobStore blobs = BlobStore.open(directory.resolve("blobs"), io);
        Recovered recovered = recover(segments, hashes, checkpoints);
        LogStorage storage = new LogStorage(
                directory, segments, hashes, checkpoints, blobs, recovered.range(), config.tailReplayable());
        storage.failure = recovered.failure();
        segments.corruption().ifPresent(c -> storage.failure = "segment corruption: " + c);
        checkpoints.corruption().ifPresent(c -> storage.failure = "checkpoint history corruption: " + c);
        if (storage.failure != null) {
            LOG.error("log {} opened FAILED, appends refused: {}", directory.getFileName(), storage.failure);
        }
        return storage;
    }

    private record Recovered(CompactRange range, String failure) {}

    private static Recovered recover(SegmentStore segments, HashStore hashes, CheckpointStore checkpoints)
            throws IOException {
        long entryCount = segments.size();
        Optional<StoredCheckpoint> latest = checkpoints.latest();
        long checkpointed = latest.map(StoredCheckpoint::treeSize).orElse(0L);
        String failure = null;
        if (entryCount < checkpointed) {
            failure = "segments hold " + entryCount + " entries but checkpoint " + checkpointed
                    + " was published: entries lost";
            checkpointed = Math.min(checkpointed, entryCount);
        }
        long trusted = Math.min(Math.min(hashes.leafCount(), checkpointed), entryCount);
        hashes.truncate(trusted);
        CompactRange range = CompactRange.restore(trusted, hashes);
        if (latest.isPresent() && trusted == latest.get().treeSize()) {
            Hash want = rootOf(latest.get());
            if (!range.rootHash().equals(want)) {
                LOG.warn("hash rows disagree with checkpoint {}; rebuilding them from the segments", trusted);
                hashes.truncate(0);
                range = new CompactRange();
                String corrupt = integrateFromSegments(segments, hashes, range, trusted);
                if (corrupt != null) {
                    failure = corrupt;
                } else if (!range.rootHash().equals(want)) {
                    failure = "entries 0.." + trusted + " hash to root "
                            + range.rootHash().base64() + " but the signed checkpoint says " + want.base64();
                }
            }
        }
        if (range.size() == trusted) {
            String corrupt = integrateFromSegments(segments, hashes, range, entryCount);
            if (corrupt != null) {
                failure = corrupt;
            }
        }
        hashes.sync();
        if (entryCount > trusted) {
            LOG.info("re-integrated leaves {}..{} from segments", trusted, entryCount);
        }
        return new Recovered(range, failure);
    }

    /**
     * Re-hashes leaves {@code [range.size(), end)} from the segments. A record that fails its CRC
     * (a sealed segment is only checked cheaply at open, so its records are first CRC-checked here)
     * stops the tree just below it: returns why, so that the log opens failed instead of not at all.
     */
    private static String integrateFromSegments(SegmentStore segments, HashStore hashes, CompactRange range, long end)
            throws IOException {
        CompactRange.NodeSink sink = hashes.sink();
        String failure = null;
        if (range.size() < end) {
            LeafHasher hasher = new LeafHasher();
            try {
                segments.readRange(range.size(), end, (leafIndex, bytes) -> range.append(hasher.leafHash(bytes), sink));
            } catch (CorruptionException e) {
                failure = "segment corruption: " + e.corruption();
            }
        }
        hashes.flush();
        return failure;
    }

    /** The log's directory. */
    public Path directory() {
        return directory;
    }

    /** The durable, integrated tree; readers may use any size up to this. */
    public TreeHead head() {
        return head;
    }

    /** Why the log refuses appends, if it does. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** Marks the log failed (fail-stop after an I/O error on the write path). */
    public void fail(String reason) {
        if (failure == null) {
            failure = reason;
            LOG.error("log {} FAILED, appends refused: {}", directory.getFileName(), reason);
        }
    }

    /**
     * Writes {@code leaves} after the current end and extends the tree. NOT durable until {@link
     * #syncEntries()}; not visible to readers until then either.
     *
     * @return the leaf index of the first leaf
     */
    public long integrate(List<Leaf> leaves) throws IOException {
        long first = range.size();
        List<byte[]> bytes = new ArrayList<>(leaves.size());
        for (Leaf leaf : leaves) {
            bytes.add(leaf.bytes());
        }
        segments.append(bytes);
        CompactRange.NodeSink sink = hashes.sink();
        for (Leaf leaf : leaves) {
            range.append(leaf.leafHash(), sink);
        }
        return first;
    }

    /** fsyncs the entries written so far and publishes the new tree head to readers. */
    public TreeHead syncEntries() throws IOException {
        hashes.flush();
        segments.sync();
        return publishHead();
    }

    /**
     * Publishes the entries written so far to readers <em>without</em> fsync: only for a log whose
     * tail is replayable ({@link LogConfig#tailReplayable()}), where a Raft quorum already holds them.
     */
    public TreeHead publishEntries() throws IOException {
        if (!tailReplayable) {
            throw new IllegalStateException(
                    "entries of log " + directory.getFileName() + " must be fsync'd before they are published");
        }
        hashes.flush();
        return publishHead();
    }

    private TreeHead publishHead() {
        TreeHead next = new TreeHead(range.size(), range.rootHash());
        head = next;
        return next;
    }

    /**
     * fsyncs the entries written so far, and the hash rows as far as the writer flushed them,
     * without publishing anything; any thread, also while the writer appends. A replayable log
     * calls it in the background so that {@link #storeCheckpoint} on the writer thread finds little
     * left to fsync.
     */
    public void syncWrittenEntries() {
        if (segments.durableSize() < segments.size()) {
            segments.sync();
            hashes.syncFlushedInBackground();
        }
    }

    /** How many entries the segments hold fsync'd (any thread). */
    public long fsyncedEntries() {
        return segments.durableSize();
    }

    /** Whether entries past the latest checkpoint are replayed from elsewhere after a crash. */
    public boolean tailReplayable() {
        return tailReplayable;
    }

    /** fsyncs the entries and the hash rows, then stores a signed checkpoint durably. */
    public void storeCheckpoint(long treeSize, byte[] signedNote) throws IOException {
        if (segments.durableSize() < treeSize) {
            segments.sync();
        }
        hashes.sync();
        checkpoints.append(treeSize, signedNote);
    }

    /**
     * The writer's part of storing a checkpoint on another thread: flushes the hash rows (fsyncing
     * their directory if a row was created), so that {@link #storeFlushedCheckpoint} there makes
     * everything up to the current head durable before the checkpoint is stored.
     */
    public void flushForCheckpoint() {
        hashes.flushForBackgroundSync();
    }

    /**
     * As {@link #storeCheckpoint}, but on one thread other than the writer (one at a time, in tree
     * size order), after the writer's {@link #flushForCheckpoint} at or past {@code treeSize}: fsyncs
     * the entries and the flushed hash rows, then stores the checkpoint durably.
     */
    public void storeFlushedCheckpoint(long treeSize, byte[] signedNote) throws IOException {
        if (segments.durableSize() < treeSize) {
            segments.sync();
        }
        hashes.syncFlushedInBackground();
        checkpoints.append(treeSize, signedNote);
    }

    /** The latest stored checkpoint. */
    public Optional<StoredCheckpoint> latestCheckpoint() {
        return checkpoints.latest();
    }

    /** The first stored checkpoint whose tree size is at least {@code treeSize}. */
    public Optional<StoredCheckpoint> checkpointAtLeast(long treeSize) {
        return checkpoints.firstAtLeast(treeSize);
    }

    /** The root hash a stored checkpoint commits to (parsed from its note; it was verified when made). */
    public static Hash rootOf(StoredCheckpoint stored) {
        return Checkpoint.parse(Notes.parse(stored.signedNote()).text()).rootHash();
    }

    /** The bytes of one leaf entry. */
    public byte[] entry(long leafIndex) {
        requireBelowHead(leafIndex);
        try {
            return segments.read(leafIndex);
        } catch (CorruptionException e) {
            throw corrupted(e);
        }
    }

    /** Damage found while reading: the log stops accepting appends and says why, loudly. */
    private IndelibleException corrupted(CorruptionException e) {
        fail("corruption found on read: " + e.getMessage());
        return new IndelibleException(ErrorCode.STORAGE_FAILED, "stored data is damaged: " + e.getMessage(), e);
    }

    /** Streams leaf entries {@code [start, end)}. */
    public void entries(long start, long end, Consumer<byte[]> consumer) {
        if (end > start) {
            requireBelowHead(end - 1);
            try {
                segments.readRange(start, end, (leafIndex, bytes) -> consumer.accept(bytes));
            } catch (CorruptionException e) {
                throw corrupted(e);
            }
        }
    }

    /** A proof builder over this log's hash rows. */
    public MerkleProofs proofs() {
        return new MerkleProofs(hashes);
    }

    /** The leaf hash at {@code leafIndex}. */
    public Hash leafHash(long leafIndex) {
        requireBelowHead(leafIndex);
        return hashes.node(0, leafIndex);
    }

    /** The hashes of tile row {@code tileLevel}, entries {@code [tileIndex*256, tileIndex*256+width)}. */
    public byte[] tile(int tileLevel, long tileIndex, int width) {
        return hashes.tile(tileLevel, tileIndex, width);
    }

    /** Stores a detached event body durably, returning its SHA-256. */
    public Hash putBody(byte[] body) throws IOException {
        return blobs.put(body);
    }

    /** A detached body by digest. */
    public Optional<byte[]> body(Hash digest) throws IOException {
        return blobs.get(digest);
    }

    private void requireBelowHead(long leafIndex) {
        long size = head.treeSize();
        if (leafIndex < 0 || leafIndex >= size) {
            throw new IndelibleException(
                    ErrorCode.ENTRY_NOT_FOUND, "leaf index " + leafIndex + " outside tree size " + size);
        }
    }

    @Override
    public void close() throws IOException {
        try (segments;
                hashes;
                checkpoints) {
            // closes all three, reporting the first failure
        }
    }
}
