package dev.indelible.server.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.log.AppendService;
import dev.indelible.log.LogName;
import dev.indelible.log.envelope.Source;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends access events to the system log {@code _access}, asynchronously and in batches, so that
 * recording a read never adds an fsync to the read.
 *
 * <p>Bounded: a queue of {@link #QUEUE_MAX_EVENTS}; batches of at most {@link #BATCH_MAX_EVENTS}
 * every {@link #BATCH_MAX_AGE}. Reads are <em>fail-closed</em>: {@link AccessControl} refuses a
 * recorded read with 503 when {@link #hasRoom} is false, so no read is served unrecorded because
 * of back-pressure. Failed authentications use at most half the queue (an attacker must not be
 * able to crowd out reads); beyond that they are counted, and the count is appended as one {@code
 * access-not-recorded} event.
 *
 * <p>{@link #close} drains and appends everything queued: nothing is lost on a clean shutdown. A
 * crash can lose at most the last {@link #BATCH_MAX_AGE} of events (documented in
 * docs/security.md).
 */
final class AccessRecorder implements AutoCloseable {
    /** The most events waiting to be appended. */
    static final int QUEUE_MAX_EVENTS = 10_000;
    /** The most events per append. */
    static final int BATCH_MAX_EVENTS = 1_000;
    /** The longest an event waits before its batch is appended. */
    static final Duration BATCH_MAX_AGE = Duration.ofMillis(200);

    static final LogName ACCESS_LOG = LogName.system("_access");
    private static final Logger LOG = LoggerFactory.getLogger(AccessRecorder.class);
    private static final Source SOURCE = new Source("server", "access-control");

    private final AppendService appends;
    private final Function<String, ObjectNode> newEvent;
    private final BlockingQueue<ObjectNode> queue = new ArrayBlockingQueue<>(QUEUE_MAX_EVENTS);
    private final AtomicLong failuresNotRecorded = new AtomicLong();
    private final AtomicLong eventsNotRecorded = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;

    /**
     * @param newEvent makes an empty event object of the given {@code kind}
     */
    AccessRecorder(AppendService appends, Function<String, ObjectNode> newEvent) {
        this.appends = appends;
        this.newEvent = newEvent;
        this.writer = Thread.ofPlatform().name("access-log").daemon().start(this::run);
    }

    /** Whether a read may be served now: there is room to record it. */
    boolean hasRoom() {
        return !closing && queue.remainingCapacity() > 0;
    }

    /** Queues a read, export or admin event. */
    void record(ObjectNode event) {
        if (closing || !queue.offer(event)) {
            eventsNotRecorded.incrementAndGet();
        }
    }

    /** Queues a failed authentication or authorization, unless the queue is half full. */
    void recordFailure(ObjectNode event) {
        if (closing || queue.remainingCapacity() < QUEUE_MAX_EVENTS / 2 || !queue.offer(event)) {
            failuresNotRecorded.incrementAndGet();
        }
    }

    private void run() {
        List<ObjectNode> batch = new ArrayList<>(BATCH_MAX_EVENTS);
        while (!closing || !queue.isEmpty()) {
            try {
                ObjectNode first = queue.poll(BATCH_MAX_AGE.toMillis(), TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH_MAX_EVENTS - 1);
                }
            } catch (InterruptedException e) {
                // Never interrupted on purpose: an interrupt inside an append would lose the batch.
                Thread.currentThread().interrupt();
                closing = true;
            }
            flush(batch);
        }
        flush(batch);
    }

    private void flush(List<ObjectNode> batch) {
        long failures = failuresNotRecorded.getAndSet(0);
        long events = eventsNotRecorded.getAndSet(0);
        if (failures > 0 || events > 0) {
            ObjectNode summary = newEvent.apply("access-not-recorded");
            summary.put("failedAttempts", failures);
            summary.put("events", events);
            batch.add(summary);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            appends.appendSystem(ACCESS_LOG, List.copyOf(batch), SOURCE);
        } catch (RuntimeException e) {
            LOG.error("could not append {} events to {}: {}", batch.size(), ACCESS_LOG, e.toString());
            eventsNotRecorded.addAndGet(batch.size());
        }
        batch.clear();
    }

    /** Stops taking events, appends everything queued, and waits for that (bounded). */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(Duration.ofSeconds(AppendService.APPEND_TIMEOUT_SECONDS + 5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.error("the access log writer did not finish within {} s", AppendService.APPEND_TIMEOUT_SECONDS + 5);
        }
    }
}
