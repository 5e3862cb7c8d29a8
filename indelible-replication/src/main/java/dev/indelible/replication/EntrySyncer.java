package dev.indelible.replication;

import dev.indelible.log.LogApplier;
import java.util.Collection;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fsyncs the entries the Raft apply thread has written to each log's segments, in the background,
 * every {@link #INTERVAL_MILLIS} and whenever {@link #kick}ed (after a seal). A replica applies
 * without fsync (the Raft log is the write-ahead log) but must fsync the segments before it stores
 * a checkpoint covering them; done on the apply thread, that fsync held every later append behind
 * up to a second of writes. Here it runs beside the apply thread, in small steps, so the fsync at
 * publication usually finds nothing left.
 *
 * <p>The same thread stores the checkpoints the apply thread publishes ({@link #later}): their
 * fsyncs (entries, hash rows, the checkpoint file) stalled every append behind them for 3–15 ms once
 * a second on each replica. They run first in each round, in the order handed over.
 *
 * <p>Its thread is never interrupted: an interrupt during {@code FileChannel.force} would close the
 * file under the apply thread. {@link #close} asks it to stop, waits, then runs any store still
 * queued itself.
 */
final class EntrySyncer implements AutoCloseable, RaftSequencer.CheckpointStores {
    private static final Logger LOG = LoggerFactory.getLogger(EntrySyncer.class);

    /** Longest time between two background fsyncs of a log that has grown. */
    static final long INTERVAL_MILLIS = 50;

    private final Supplier<Collection<LogApplier>> logs;
    private final Queue<Runnable> stores = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean kicked;
    private volatile boolean closed;

    EntrySyncer(String nodeId, Supplier<Collection<LogApplier>> logs) {
        this.logs = logs;
        this.thread =
                Thread.ofPlatform().name("entry-syncer-" + nodeId).daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Asks for a round now (a checkpoint is coming). */
    void kick() {
        kicked = true;
        LockSupport.unpark(thread);
    }

    @Override
    public void later(Runnable store) {
        stores.add(store);
        kick();
    }

    @Override
    public void drain() {
        if (Thread.currentThread() == thread) {
            runStores();
            return;
        }
        CompletableFuture<Void> reached = new CompletableFuture<>();
        stores.add(() -> reached.complete(null));
        kick();
        boolean interrupted = false;
        while (!reached.isDone()) {
            if (closed || !thread.isAlive()) {
                runStores(); // the thread is gone or going: nobody else runs them now
                continue;
            }
            try {
                reached.get(INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | TimeoutException e) {
                // not yet: look again
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void runStores() {
        Runnable store;
        while ((store = stores.poll()) != null) {
            store.run();
        }
    }

    private void run() {
        long interval = TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
        while (!closed) {
            if (!kicked) {
                LockSupport.parkNanos(this, interval);
            }
            kicked = false;
            runStores();
            for (LogApplier log : logs.get()) {
                if (closed) {
                    return;
                }
                syncOne(log);
            }
        }
    }

    private static void syncOne(LogApplier log) {
        if (log.failure().isPresent()) {
            return;
        }
        try {
            log.syncInBackground();
        } catch (RuntimeException e) {
            // The segment store is failed now (an fsync is never retried) or was closed meanwhile;
            // the apply thread meets that on its next write and stops the log loudly.
            LOG.debug("background fsync of log {} failed: {}", log.name(), e.toString());
        }
    }

    /** Stops the thread after its current fsync (without interrupting it) and waits for it. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        if (thread.isAlive() && thread != Thread.currentThread()) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        runStores();
    }
}
