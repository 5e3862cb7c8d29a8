package dev.indelible.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Assigns leaf indexes to appended entries, durably, in batches. Two implementations: {@code
 * LocalSequencer} (one node, group commit under one fsync) and the replicated sequencer of {@code
 * indelible-replication} (Apache Ratis: the Raft log is the write-ahead log). Both apply through
 * {@link LogApplier}, so every node computes the same bytes and tree.
 *
 * <p><b>Contract.</b> {@link #submit} MUST complete its future with the leaf index of the request's
 * first entry only once every entry of the request is durable (single node: fsync'd; cluster:
 * committed by a Raft quorum and applied locally); the entries of one request MUST get consecutive
 * leaf indexes and be written all-or-nothing. Implementations are thread-safe; {@code submit}
 * MUST NOT block on I/O, and throws {@link IndelibleException} ({@link ErrorCode#OVERLOADED}) when
 * its bounded backlog is full.
 */
public interface Sequencer extends AutoCloseable {
    /** Queues {@code leaves} for sequencing; see the interface contract. */
    CompletableFuture<Long> submit(List<Leaf> leaves);

    /**
     * Like {@link #submit(List)}, with each entry's client-supplied id (the event's {@code "id"}) and
     * the request's detached event bodies, and completes with each entry's position and leaf hash.
     * The caller has already stored the bodies on this node; a replicated implementation MUST make
     * them durable on every replica before the leaves that name them. An implementation that
     * deduplicates (both do, within the window of {@link RecentIds}) answers a retried request
     * whose ids were all appended before, consecutively, with the <em>original</em> positions and
     * leaf hashes and appends nothing. This default neither deduplicates nor replicates bodies.
     */
    default CompletableFuture<List<Appended>> submit(
            List<Leaf> leaves, List<Optional<String>> clientIds, List<byte[]> detachedBodies) {
        return submit(leaves).thenApply(first -> {
            List<Appended> appended = new ArrayList<>(leaves.size());
            for (int i = 0; i < leaves.size(); i++) {
                appended.add(new Appended(first + i, leaves.get(i).leafHash()));
            }
            return appended;
        });
    }

    /**
     * How many of a log's most recent client ids this sequencer remembers to answer a retry with
     * the original positions (see {@link #submit(List, List, List)}), in a window that survives
     * failovers and restarts; 0 if it does not deduplicate (this default).
     */
    default int dedupWindow() {
        return 0;
    }

    /** Completes once a checkpoint covering {@code treeSize} is published (it may already be). */
    CompletableFuture<PublishedCheckpoint> awaitCheckpoint(long treeSize);

    /** Stops taking requests; pending requests are completed or failed, never left hanging. */
    @Override
    void close();

    /** Creates the sequencer of one log, given that log's apply step. */
    @FunctionalInterface
    interface Factory {
        /** A started sequencer over {@code log}. */
        Sequencer create(LogApplier log);
    }
}
