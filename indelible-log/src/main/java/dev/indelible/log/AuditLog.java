package dev.indelible.log;

import dev.indelible.formats.merkle.Hash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One append-only, tamper-evident log: what the HTTP API and the CLI call. Appends are sequenced
 * with group commit and published in signed checkpoints; reads, proofs and tiles are served from
 * the durable tree.
 *
 * <p>Thread-safe. Every read answers for the durable tree as of the call ({@link #head()}); a proof
 * request for a larger tree size is refused with {@link ErrorCode#OUT_OF_RANGE}.
 */
public final class AuditLog implements AutoCloseable {
    private final LogName name;
    private final String origin;
    private final LogStorage storage;
    private final CheckpointPublisher publisher;
    private final Sequencer sequencer;

    AuditLog(LogName name, String origin, LogStorage storage, CheckpointSigner signer, Sequencer.Factory sequencers) {
        this.name = name;
        this.origin = origin;
        this.storage = storage;
        this.publisher = new CheckpointPublisher(origin, signer, storage);
        this.sequencer = sequencers.create(new LogApplier(name, storage, publisher));
    }

    /** The log's name. */
    public LogName name() {
        return name;
    }

    /** The checkpoint origin line of this log. */
    public String origin() {
        return origin;
    }

    /** The durable tree: size and root. */
    public TreeHead head() {
        return storage.head();
    }

    /**
     * How many entries this node's segments hold fsync'd: the whole {@link #head()} on a single
     * node; on a replica, whose Raft log is the write-ahead log, it may trail the head a little.
     */
    public long fsyncedEntries() {
        return storage.fsyncedEntries();
    }

    /** Why the log refuses appends (corruption, failed fsync), if it does. */
    public Optional<String> failure() {
        return storage.failure();
    }

    /**
     * Appends entries all-or-nothing; the future completes, in request order, once all are durable.
     *
     * @throws IndelibleException {@link ErrorCode#OVERLOADED} if the backlog is full, {@link
     *     ErrorCode#STORAGE_FAILED} if the log has failed
     */
    public CompletableFuture<List<Appended>> append(List<Leaf> leaves) {
        return append(leaves, java.util.Collections.nCopies(leaves.size(), Optional.empty()), List.of());
    }

    /**
     * Appends entries all-or-nothing, with each entry's client-supplied id and the request's detached
     * bodies (already stored here with {@link #putBody}); a cluster replicates the bodies and answers
     * a retried request (every id already appended) with the original positions (see {@link
     * Sequencer#submit(List, List, List)}).
     */
    public CompletableFuture<List<Appended>> append(
            List<Leaf> leaves, List<Optional<String>> clientIds, List<byte[]> detachedBodies) {
        if (leaves.isEmpty()) {
            throw new IndelibleException(ErrorCode.EMPTY_BATCH, "nothing to append");
        }
        if (clientIds.size() != leaves.size()) {
            throw new IllegalArgumentException(clientIds.size() + " client ids for " + leaves.size() + " entries");
        }
        return sequencer.submit(leaves, clientIds, detachedBodies);
    }

    /** How many recent client ids this log deduplicates retries against; 0 if none ({@link Sequencer#dedupWindow}). */
    public int dedupWindow() {
        return sequencer.dedupWindow();
    }

    /** Completes with the first published checkpoint whose tree size is at least {@code treeSize}. */
    public CompletableFuture<PublishedCheckpoint> awaitCheckpoint(long treeSize) {
        return sequencer.awaitCheckpoint(treeSize);
    }

    /** The latest published checkpoint. */
    public Optional<PublishedCheckpoint> latestCheckpoint() {
        return Optional.ofNullable(publisher.latest());
    }

    /** The published checkpoint of exactly {@code treeSize}, if one was published. */
    public Optional<PublishedCheckpoint> checkpoint(long treeSize) {
        return storage.checkpointAtLeast(treeSize)
                .filter(c -> c.treeSize() == treeSize)
                .map(CheckpointPublisher::toPublished);
    }

    /** The exact bytes of a leaf entry. */
    public byte[] entry(long leafIndex) {
        return storage.entry(leafIndex);
    }

    /** Streams entries {@code [start, end)} in order. */
    public void entries(long start, long end, Consumer<byte[]> consumer) {
        requireRange(start, end);
        storage.entries(start, end, consumer);
    }

    /** The leaf hash at {@code leafIndex}. */
    public Hash leafHash(long leafIndex) {
        return storage.leafHash(leafIndex);
    }

    /** RFC 9162 inclusion proof of {@code leafIndex} in the tree of {@code treeSize}. */
    public List<Hash> inclusionProof(long leafIndex, long treeSize) {
        long size = head().treeSize();
        if (treeSize < 1 || treeSize > size) {
            throw new IndelibleException(ErrorCode.OUT_OF_RANGE, "tree size " + treeSize + " outside 1.." + size);
        }
        if (leafIndex < 0 || leafIndex >= treeSize) {
            throw new IndelibleException(
                    ErrorCode.OUT_OF_RANGE, "leaf index " + leafIndex + " outside tree size " + treeSize);
        }
        return storage.proofs().inclusionProof(leafIndex, treeSize);
    }

    /** RFC 9162 consistency proof between tree sizes {@code from} and {@code to}. */
    public List<Hash> consistencyProof(long from, long to) {
        long size = head().treeSize();
        if (from < 0 || from > to || to > size) {
            throw new IndelibleException(
                    ErrorCode.OUT_OF_RANGE, "consistency from " + from + " to " + to + " outside 0.." + size);
        }
        return storage.proofs().consistencyProof(from, to);
    }

    /** The root hash of the tree of {@code treeSize} leaves. */
    public Hash rootHash(long treeSize) {
        long size = head().treeSize();
        if (treeSize < 0 || treeSize > size) {
            throw new IndelibleException(ErrorCode.OUT_OF_RANGE, "tree size " + treeSize + " outside 0.." + size);
        }
        return storage.proofs().rootHash(treeSize);
    }

    /**
     * The smallest leaf index below {@code treeSize} whose leaf hash is {@code leafHash}. Scans the
     * leaf-hash row (32 bytes a leaf), so it costs O(treeSize) sequential reads.
     */
    public Optional<Long> findLeaf(Hash leafHash, long treeSize) {
        for (long tileIndex = 0; tileIndex * 256 < treeSize; tileIndex++) {
            int width = (int) Math.min(256, treeSize - tileIndex * 256);
            byte[] row = storage.tile(0, tileIndex, width);
            for (int i = 0; i < width; i++) {
                if (Hash.of(row, i * Hash.SIZE).equals(leafHash)) {
                    return Optional.of(tileIndex * 256 + i);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The hashes of C2SP tile {@code tileLevel}/{@code tileIndex} of width {@code width}.
     *
     * @throws IndelibleException {@link ErrorCode#NOT_FOUND} if the tree does not yet cover it
     */
    public byte[] tile(int tileLevel, long tileIndex, int width) {
        long covered = head().treeSize() >>> (8 * tileLevel);
        if (tileLevel < 0
                || tileLevel > 7
                || width < 1
                || width > 256
                || tileIndex < 0
                || tileIndex * 256 + width > covered) {
            throw new IndelibleException(
                    ErrorCode.NOT_FOUND,
                    "tile " + tileLevel + "/" + tileIndex + " width " + width + " is not in the tree of size "
                            + head().treeSize());
        }
        return storage.tile(tileLevel, tileIndex, width);
    }

    /** Stores a detached event body (fsync'd) before its leaf is appended. */
    public Hash putBody(byte[] body) {
        try {
            return storage.putBody(body);
        } catch (IOException e) {
            throw new IndelibleException(ErrorCode.STORAGE_FAILED, "could not store event body: " + e.getMessage(), e);
        }
    }

    /** A detached event body by its SHA-256. */
    public Optional<byte[]> body(Hash digest) {
        try {
            return storage.body(digest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void requireRange(long start, long end) {
        long size = head().treeSize();
        if (start < 0 || end < start || end > size) {
            throw new IndelibleException(
                    ErrorCode.OUT_OF_RANGE, "range [" + start + ", " + end + ") outside tree size " + size);
        }
    }

    /** Sequences what is queued, publishes a final checkpoint and closes the storage. */
    @Override
    public void close() throws IOException {
        sequencer.close();
        storage.close();
    }
}
