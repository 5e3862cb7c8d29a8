package dev.indelible.log;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sequences appends on one node: a single thread takes every waiting request (up to {@code
 * batchMaxSize} entries), writes them to the segments and the tree, and makes them durable with
 * <em>one</em> fsync shared by all of them (group commit). While that fsync runs, new requests
 * queue up and form the next batch, so throughput grows with concurrency instead of being bound by
 * the fsync rate.
 *
 * <p>The same thread publishes checkpoints: at most once per {@code checkpointInterval}, when the
 * tree has grown, it fsyncs the hash rows, signs the checkpoint, stores it durably, and only then
 * exposes it. One writer thread means the storage needs no locks on its write path.
 *
 * <p><b>Contract of {@link #submit}:</b> the returned future completes with the leaf index of the
 * request's first entry only after every entry of the request is durable (fsync'd); the entries
 * of one request get consecutive leaf indexes and are written all-or-nothing. A request whose
 * entries all carry client ids appended before, consecutively, within the window ({@link
 * RecentIds}; rebuilt from the latest entries when the sequencer starts) is a retry: it appends
 * nothing and completes with the original positions, once they are durable. If the write or the
 * fsync fails, the future fails, the log enters the failed state, and no later append is accepted
 * (a failed fsync is never retried: the page cache state is unknown).
 */
final class LocalSequencer implements Sequencer {
    private static final Logger LOG = LoggerFactory.getLogger(LocalSequencer.class);

    private record Request(
            List<Leaf> leaves, List<Optional<String>> clientIds, CompletableFuture<List<Appended>> done) {}

    private record CheckpointWaiter(long treeSize, CompletableFuture<PublishedCheckpoint> done) {}

    private final LogStorage storage;
    private final LogConfig config;
    private final CheckpointPublisher publisher;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private final List<CheckpointWaiter> checkpointWaiters = new ArrayList<>();
    private final Thread thread;
    private long queuedEntries;
    private boolean closed;
    private long lastCheckpointMillis;
    /** The most recent client ids; sequencer thread only. */
    private RecentIds recentIds = new RecentIds();
    /** Whether {@link #recentIds} was rebuilt from the stored entries (on the first request, not at start). */
    private boolean recentIdsRebuilt;

    LocalSequencer(LogStorage storage, LogConfig config, CheckpointPublisher publisher, Clock clock) {
        this.storage = storage;
        this.config = config;
        this.publisher = publisher;
        this.clock = clock;
        this.thread = Thread.ofPlatform()
                .name("sequencer-" + storage.directory().getFileName())
                .daemon(true)
                .unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Starts a sequencer over {@code log}'s storage. */
    static LocalSequencer start(LogApplier log, LogConfig config, Clock clock) {
        LocalSequencer sequencer = new LocalSequencer(log.storage(), config, log.publisher(), clock);
        sequencer.start();
        return sequencer;
    }

    /** Queues a request; see the class contract. Throws {@link ErrorCode#OVERLOADED} when the backlog is full. */
    @Override
    public CompletableFuture<Long> submit(List<Leaf> leaves) {
        return submit(leaves, Collections.nCopies(leaves.size(), Optional.empty()), List.of())
                .thenApply(appended -> appended.get(0).leafIndex());
    }

    /**
     * Queues a request with its entries' client ids; a retry of a request appended within the
     * window ({@link RecentIds}) appends nothing and completes with the original positions and leaf
     * hashes. The caller stored the detached bodies already.
     */
    @Override
    public CompletableFuture<List<Appended>> submit(
            List<Leaf> leaves, List<Optional<String>> clientIds, List<byte[]> detachedBodies) {
        if (clientIds.size() != leaves.size()) {
            throw new IllegalArgumentException(clientIds.size() + " client ids for " + leaves.size() + " entries");
        }
        storage.failure().ifPresent(reason -> {
            throw new IndelibleException(ErrorCode.STORAGE_FAILED, "log refuses appends: " + reason);
        });
        CompletableFuture<List<Appended>> done = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                throw new IndelibleException(ErrorCode.OVERLOADED, "log is shutting down");
            }
            if (queuedEntries + leaves.size() > config.pushbackMaxOutstanding() && queuedEntries > 0) {
                throw new IndelibleException(
                        ErrorCode.OVERLOADED,
                        "append backlog full: " + queuedEntries + " entries waiting, limit "
                                + config.pushbackMaxOutstanding());
            }
            queue.add(new Request(List.copyOf(leaves), List.copyOf(clientIds), done));
            queuedEntries += leaves.size();
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
        return done;
    }

    /** Completes once a checkpoint covering {@code treeSize} is published (it may already be). */
    @Override
    public CompletableFuture<PublishedCheckpoint> awaitCheckpoint(long treeSize) {
        CompletableFuture<PublishedCheckpoint> done = new CompletableFuture<>();
        lock.lock();
        try {
            PublishedCheckpoint latest = publisher.latest();
            if (latest != null && latest.treeSize() >= treeSize) {
                done.complete(latest);
            } else if (closed) {
                done.completeExceptionally(new IndelibleException(ErrorCode.OVERLOADED, "log is shutting down"));
            } else {
                checkpointWaiters.add(new CheckpointWaiter(treeSize, done));
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
        return done;
    }

    @Override
    public int dedupWindow() {
        return RecentIds.WINDOW_MAX;
    }

    private void run() {
        while (true) {
            List<Request> batch;
            try {
                batch = takeBatch();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (batch == null) {
                break;
            }
            if (!batch.isEmpty()) {
                writeBatch(batch);
            }
            publishIfDue(false);
        }
        publishIfDue(true);
        failPending(new IndelibleException(ErrorCode.OVERLOADED, "log is shutting down"));
    }

    /** Waits until requests are queued or a checkpoint falls due; null once closed and drained. */
    private List<Request> takeBatch() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty() && !closed) {
                long size = storage.head().treeSize();
                boolean grown = size > 0 && size > publisher.latestTreeSize();
                long wait = millisUntilCheckpointDue();
                if (grown && wait <= 0) {
                    return List.of();
                }
                notEmpty.await(grown ? wait : config.checkpointInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
            if (queue.isEmpty()) {
                return null;
            }
            List<Request> batch = new ArrayList<>();
            int entries = 0;
            while (!queue.isEmpty()
                    && (entries == 0 || entries + queue.peek().leaves().size() <= config.batchMaxSize())) {
                Request request = queue.poll();
                entries += request.leaves().size();
                batch.add(request);
            }
            queuedEntries -= entries;
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private long millisUntilCheckpointDue() {
        return lastCheckpointMillis + config.checkpointInterval().toMillis() - clock.millis();
    }

    /**
     * Rebuilds the client-id window from the ids of the latest entries ({@link
     * RecentIds#ofLatestEntries}), in order (sequencer thread, before the first request is
     * sequenced, so that a log nobody writes to costs nothing at start): a request retried across a
     * restart is still recognized. The window held before the restart may have reached further back
     * if few entries carried ids.
     */
    private void rebuildRecentIds() {
        if (storage.head().treeSize() == 0) {
            return;
        }
        long started = System.nanoTime();
        try {
            recentIds = RecentIds.ofLatestEntries(storage);
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "could not read the client ids of log {} back: retries will not be recognized: {}",
                    storage.directory().getFileName(),
                    e.toString());
            return;
        }
        LOG.info(
                "log {}: {} client ids in its last {} entries remembered for retries ({} ms)",
                storage.directory().getFileName(),
                recentIds.size(),
                Math.min(storage.head().treeSize(), RecentIds.WINDOW_MAX),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void writeBatch(List<Request> batch) {
        if (!recentIdsRebuilt) {
            rebuildRecentIds();
            recentIdsRebuilt = true;
        }
        // per request: where its entries landed, or (a retry) where the original's did, as -1 - index
        List<Long> firstIndexes = new ArrayList<>(batch.size());
        try {
            for (Request request : batch) {
                long original = recentIds.retryOf(request.clientIds());
                if (original >= 0) {
                    firstIndexes.add(-1 - original);
                    continue;
                }
                long first = storage.integrate(request.leaves());
                recentIds.remember(request.clientIds(), first);
                firstIndexes.add(first);
            }
            storage.syncEntries();
        } catch (IOException | RuntimeException e) {
            storage.fail("append failed, log stopped (fail-stop): " + e);
            IndelibleException failure =
                    new IndelibleException(ErrorCode.STORAGE_FAILED, "append not durable: " + e.getMessage(), e);
            for (Request request : batch) {
                request.done().completeExceptionally(failure);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Request request = batch.get(i);
            long first = firstIndexes.get(i);
            try {
                List<Appended> appended = new ArrayList<>(request.leaves().size());
                for (int e = 0; e < request.leaves().size(); e++) {
                    appended.add(
                            first >= 0
                                    ? new Appended(
                                            first + e, request.leaves().get(e).leafHash())
                                    // a retry: the original's hashes (its own bytes differ: a later receive time)
                                    : new Appended(-1 - first + e, storage.leafHash(-1 - first + e)));
                }
                request.done().complete(appended);
            } catch (RuntimeException e) {
                request.done().completeExceptionally(e);
            }
        }
    }

    private void publishIfDue(boolean evenIfEarly) {
        if (storage.failure().isPresent() || (!evenIfEarly && millisUntilCheckpointDue() > 0)) {
            return;
        }
        TreeHead head = storage.head();
        // A brand-new log publishes nothing for the empty tree, so that its first real checkpoint
        // is not delayed by a whole interval.
        if (head.treeSize() == 0 || head.treeSize() <= publisher.latestTreeSize()) {
            return;
        }
        try {
            PublishedCheckpoint published = publisher.publish(head);
            lastCheckpointMillis = clock.millis();
            completeWaiters(published);
        } catch (IOException | RuntimeException e) {
            storage.fail("checkpoint could not be stored, log stopped (fail-stop): " + e);
            LOG.error("publishing checkpoint {} failed", head.treeSize(), e);
        }
    }

    private void completeWaiters(PublishedCheckpoint published) {
        lock.lock();
        try {
            Iterator<CheckpointWaiter> it = checkpointWaiters.iterator();
            while (it.hasNext()) {
                CheckpointWaiter waiter = it.next();
                if (waiter.treeSize() <= published.treeSize()) {
                    waiter.done().complete(published);
                    it.remove();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void failPending(IndelibleException failure) {
        lock.lock();
        try {
            for (Request request : queue) {
                request.done().completeExceptionally(failure);
            }
            queue.clear();
            for (CheckpointWaiter waiter : checkpointWaiters) {
                waiter.done().completeExceptionally(failure);
            }
            checkpointWaiters.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Stops taking requests, sequences what is queued, publishes a final checkpoint and stops. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
