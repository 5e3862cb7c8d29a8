package dev.indelible.log;

import dev.indelible.formats.merkle.Hash;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The apply step of one log, shared by every {@link Sequencer}: append a batch of leaves to the
 * segments and extend the tree (then fsync, unless a Raft log makes them durable), and publish a signed checkpoint of a tree head. It
 * reads no clock and no randomness: given the same leaves in the same order, every replica writes
 * the same bytes, computes the same roots and (Ed25519 being deterministic) the same signed notes.
 *
 * <p><b>Threads.</b> {@link #append} and {@link #publish} MUST be called from one writer thread at
 * a time (the sequencer thread, or the Raft apply thread); the read methods are thread-safe.
 */
public final class LogApplier {
    private final LogName name;
    private final LogStorage storage;
    private final CheckpointPublisher publisher;

    LogApplier(LogName name, LogStorage storage, CheckpointPublisher publisher) {
        this.name = name;
        this.storage = storage;
        this.publisher = publisher;
    }

    LogStorage storage() {
        return storage;
    }

    /** The client-id window this log's latest entries leave ({@link RecentIds#ofLatestEntries}). */
    public RecentIds latestClientIds() throws IOException {
        return RecentIds.ofLatestEntries(storage);
    }

    CheckpointPublisher publisher() {
        return publisher;
    }

    /** The log's name. */
    public LogName name() {
        return name;
    }

    /** The integrated tree (durable, or for a replayable tail held by a Raft quorum). */
    public TreeHead head() {
        return storage.head();
    }

    /** Why the log refuses appends, if it does. */
    public Optional<String> failure() {
        return storage.failure();
    }

    /** Stops the log (fail-stop): it refuses appends from now on and health reports it down. */
    public void fail(String reason) {
        storage.fail(reason);
    }

    /**
     * Appends {@code leaves} at the end of the log and publishes them to readers; returns the first
     * one's leaf index. fsyncs them first, unless the log's tail is replayable ({@link
     * LogConfig#tailReplayable()}: a Raft quorum already holds them durably, and {@link #sync} runs
     * before each snapshot). On an exception the log's state is unknown: the caller MUST {@link
     * #fail} it.
     */
    public long append(List<Leaf> leaves) throws IOException {
        long first = storage.integrate(leaves);
        if (storage.tailReplayable()) {
            storage.publishEntries();
        } else {
            storage.syncEntries();
        }
        return first;
    }

    /** fsyncs every entry appended so far (before a snapshot counts them as applied). */
    public void sync() throws IOException {
        storage.syncEntries();
    }

    /**
     * fsyncs the entries appended so far, from any thread, without waiting for the writer: keeps
     * the unsynced tail of a replayable log short, so publishing a checkpoint seldom has to wait
     * for an fsync on the writer thread. MUST NOT run on a thread that may be interrupted (an
     * interrupt during an fsync closes the file under the writer).
     */
    public void syncInBackground() {
        storage.syncWrittenEntries();
    }

    /** Stores a detached event body durably (idempotent: the same body again is a no-op). */
    public Hash putBody(byte[] body) throws IOException {
        return storage.putBody(body);
    }

    /**
     * The detached body whose SHA-256 is {@code digest}, verified against it; empty if this node
     * does not hold it (thread-safe).
     */
    public Optional<byte[]> body(Hash digest) throws IOException {
        return storage.body(digest);
    }

    /** The leaf hash at {@code leafIndex}, which must be below the head. */
    public Hash leafHash(long leafIndex) {
        return storage.leafHash(leafIndex);
    }

    /** The bytes of the entry at {@code leafIndex}, which must be below the head (thread-safe). */
    public byte[] entry(long leafIndex) {
        return storage.entry(leafIndex);
    }

    /** The first published checkpoint whose tree size is at least {@code treeSize} (thread-safe). */
    public Optional<PublishedCheckpoint> checkpointAtLeast(long treeSize) {
        return storage.checkpointAtLeast(treeSize).map(CheckpointPublisher::toPublished);
    }

    /** The root of the tree of {@code treeSize} leaves, which must not exceed the head. */
    public Hash rootHash(long treeSize) {
        return storage.proofs().rootHash(treeSize);
    }

    /** The latest published checkpoint. */
    public Optional<PublishedCheckpoint> latestCheckpoint() {
        return Optional.ofNullable(publisher.latest());
    }

    /** Signs a checkpoint of {@code head}, stores it durably, then exposes it as the latest. */
    public PublishedCheckpoint publish(TreeHead head) throws IOException {
        return publisher.publish(head);
    }

    /**
     * The checkpoint of {@code head} signed with the log key, as a signed note; stores nothing.
     * Deterministic: every replica holding the same key makes the same bytes.
     */
    public byte[] signCheckpoint(TreeHead head) {
        return publisher.sign(head);
    }

    /** The checkpoint text of {@code head} (what {@link #signCheckpoint} signs and cosigners sign). */
    public String checkpointText(TreeHead head) {
        return publisher.text(head);
    }

    /**
     * Stores {@code signedNote} durably and exposes it as the latest checkpoint. The caller MUST
     * pass a note made by {@link #signCheckpoint} for {@code head}, with signatures only added.
     */
    public PublishedCheckpoint publish(TreeHead head, byte[] signedNote) throws IOException {
        return publisher.publish(head, signedNote);
    }

    /**
     * As {@link #publish(TreeHead, byte[])}, split so that the fsyncs leave the apply thread: flushes
     * now what the store will fsync, and returns the rest — fsync the entries and hash rows, store
     * the note durably, expose it — for one other thread to run, in the order the checkpoints were
     * handed over. Until it has run, {@link #latestCheckpoint} is the one before.
     */
    public StoreStep publishLater(TreeHead head, byte[] signedNote) {
        storage.flushForCheckpoint();
        return () -> publisher.publishFlushed(head, signedNote);
    }

    /** The part of {@link #publishLater} that stores and exposes the checkpoint. */
    @FunctionalInterface
    public interface StoreStep {
        /** Stores the checkpoint durably, then exposes it as the latest. */
        PublishedCheckpoint run() throws IOException;
    }
}
