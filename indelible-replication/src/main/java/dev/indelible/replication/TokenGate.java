package dev.indelible.replication;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a cluster node may vouch for its access tokens: that a token it holds unrevoked was not
 * revoked through the cluster more than {@code window} ago.
 *
 * <p>A revocation is a Raft entry; a node that is cut off from the majority, or that was down while
 * the revocation committed and has not yet applied it, still holds the token unrevoked. So a thread
 * of this node runs a <em>read barrier</em> every {@code poll}: a linearizable read-only request
 * to this node itself (Raft ReadIndex: the leader confirms with a majority that it still leads and
 * names its commit index, and this node answers only once it has applied up to that index). A
 * barrier that began at time {@code s} and succeeded proves that every entry committed before
 * {@code s} — every revocation acknowledged before {@code s} — is applied here. The node vouches
 * while its latest successful barrier began less than {@code window} ago; otherwise (no majority,
 * no leader, still catching up after a restart, apply thread far behind) it does not, and token
 * authentication on it fails closed with a retryable error.
 *
 * <p>Clock: a monotonic one ({@link System#nanoTime} in production); it only decides when the
 * gate closes, never what a replica applies.
 */
final class TokenGate implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TokenGate.class);

    /** A blocking read barrier; throws if it could not complete. */
    @FunctionalInterface
    interface Barrier {
        void await() throws IOException;
    }

    /** Never a successful barrier yet. */
    private static final long NEVER = Long.MIN_VALUE;

    private final Barrier barrier;
    private final long windowNanos;
    private final long pollNanos;
    private final LongSupplier nanoClock;
    private final Thread thread;
    private volatile long lastSuccessStart = NEVER;
    private volatile boolean closed;

    /**
     * @param window how long after the start of its latest successful barrier the node vouches
     * @param poll how often a barrier starts (well under {@code window}, so that one slow or failed
     *     barrier does not close the gate)
     */
    TokenGate(String nodeId, Barrier barrier, Duration window, Duration poll, LongSupplier nanoClock) {
        if (poll.isNegative() || poll.isZero() || poll.compareTo(window) >= 0) {
            throw new IllegalArgumentException("poll " + poll + " must be positive and shorter than window " + window);
        }
        this.barrier = barrier;
        this.windowNanos = window.toNanos();
        this.pollNanos = poll.toNanos();
        this.nanoClock = nanoClock;
        this.thread =
                Thread.ofPlatform().name("token-gate-" + nodeId).daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Whether the latest successful barrier began less than the window ago. */
    boolean vouches() {
        long start = lastSuccessStart;
        return start != NEVER && nanoClock.getAsLong() - start < windowNanos;
    }

    /** Runs one barrier now (the thread's loop; tests call it directly). */
    void barrierOnce() {
        long start = nanoClock.getAsLong();
        try {
            barrier.await();
            lastSuccessStart = start;
        } catch (IOException | RuntimeException e) {
            LOG.debug("read barrier failed: {}", e.toString());
        }
    }

    private void run() {
        while (!closed) {
            long start = System.nanoTime();
            barrierOnce();
            long rest = pollNanos - (System.nanoTime() - start);
            if (rest > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(rest);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
