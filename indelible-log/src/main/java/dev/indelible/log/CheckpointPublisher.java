package dev.indelible.log;

import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.storage.checkpoint.StoredCheckpoint;
import java.io.IOException;
import java.util.List;

/**
 * Publishes checkpoints of one log: formats the C2SP tlog-checkpoint body for a tree head, has it
 * signed, stores the signed note durably, and only then exposes it as the latest. Called from the
 * sequencer thread only; {@link #latest()} may be read from any thread.
 */
final class CheckpointPublisher {
    private final String origin;
    private final CheckpointSigner signer;
    private final LogStorage storage;
    private volatile PublishedCheckpoint latest;

    CheckpointPublisher(String origin, CheckpointSigner signer, LogStorage storage) {
        this.origin = origin;
        this.signer = signer;
        this.storage = storage;
        this.latest =
                storage.latestCheckpoint().map(CheckpointPublisher::toPublished).orElse(null);
    }

    static PublishedCheckpoint toPublished(StoredCheckpoint stored) {
        return new PublishedCheckpoint(stored.treeSize(), LogStorage.rootOf(stored), stored.signedNote());
    }

    /** The latest published checkpoint, or null before the first. */
    PublishedCheckpoint latest() {
        return latest;
    }

    long latestTreeSize() {
        PublishedCheckpoint current = latest;
        return current == null ? -1 : current.treeSize();
    }

    /** Signs and durably stores a checkpoint for {@code head}, then exposes it. */
    PublishedCheckpoint publish(TreeHead head) throws IOException {
        return publish(head, sign(head));
    }

    /** The checkpoint of {@code head} signed with the log key; stores nothing. */
    byte[] sign(TreeHead head) {
        return signer.sign(text(head));
    }

    /** The C2SP checkpoint body of {@code head}: the text {@link #sign} signs. */
    String text(TreeHead head) {
        return new Checkpoint(origin, head.treeSize(), head.rootHash(), List.of()).format();
    }

    /** Durably stores {@code note}, a signed checkpoint of {@code head}, then exposes it. */
    PublishedCheckpoint publish(TreeHead head, byte[] note) throws IOException {
        storage.storeCheckpoint(head.treeSize(), note);
        return expose(head, note);
    }

    /**
     * As {@link #publish(TreeHead, byte[])}, on one thread other than the sequencer's, after its
     * {@link LogStorage#flushForCheckpoint} (see {@link LogStorage#storeFlushedCheckpoint}).
     */
    PublishedCheckpoint publishFlushed(TreeHead head, byte[] note) throws IOException {
        storage.storeFlushedCheckpoint(head.treeSize(), note);
        return expose(head, note);
    }

    private PublishedCheckpoint expose(TreeHead head, byte[] note) {
        PublishedCheckpoint published = new PublishedCheckpoint(head.treeSize(), head.rootHash(), note);
        latest = published;
        return published;
    }
}
