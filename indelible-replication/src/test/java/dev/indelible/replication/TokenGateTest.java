package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link TokenGate} with a scripted barrier and a hand-moved clock (the thread is never started). */
class TokenGateTest {
    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(250);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private static long millis(long ms) {
        return Duration.ofMillis(ms).toNanos();
    }

    @Test
    void vouchesOnlyWithinTheWindowAfterTheStartOfTheLatestSuccessfulBarrier() {
        TokenGate gate = new TokenGate("n1", () -> {}, WINDOW, POLL, now::get);
        assertThat(gate.vouches()).as("before any barrier").isFalse();

        gate.barrierOnce();
        assertThat(gate.vouches()).isTrue();
        now.addAndGet(millis(1_999));
        assertThat(gate.vouches()).isTrue();
        now.addAndGet(millis(1));
        assertThat(gate.vouches()).as("the window has passed").isFalse();

        gate.barrierOnce();
        assertThat(gate.vouches()).as("a new barrier opens it again").isTrue();
    }

    @Test
    void aSlowBarrierCountsFromWhenItBeganNotWhenItEnded() {
        // The barrier proves what was committed before it began: one that took 1.5 s leaves 0.5 s.
        TokenGate gate = new TokenGate("n1", () -> now.addAndGet(millis(1_500)), WINDOW, POLL, now::get);
        gate.barrierOnce();
        assertThat(gate.vouches()).isTrue();
        now.addAndGet(millis(499));
        assertThat(gate.vouches()).isTrue();
        now.addAndGet(millis(1));
        assertThat(gate.vouches()).isFalse();
    }

    @Test
    void aFailedBarrierDoesNotExtendTheWindow() {
        boolean[] fail = {false};
        TokenGate gate = new TokenGate(
                "n1",
                () -> {
                    if (fail[0]) {
                        throw new IOException("no majority");
                    }
                },
                WINDOW,
                POLL,
                now::get);
        gate.barrierOnce();
        fail[0] = true;
        now.addAndGet(millis(1_000));
        gate.barrierOnce();
        assertThat(gate.vouches()).as("still within the first barrier's window").isTrue();
        now.addAndGet(millis(1_000));
        gate.barrierOnce();
        assertThat(gate.vouches()).as("failures never renew it").isFalse();

        TokenGate unchecked = new TokenGate(
                "n2",
                () -> {
                    throw new IllegalStateException("server closed");
                },
                WINDOW,
                POLL,
                now::get);
        unchecked.barrierOnce();
        assertThat(unchecked.vouches()).isFalse();
    }

    @Test
    void thePollMustBeShorterThanTheWindow() {
        assertThatThrownBy(() -> new TokenGate("n1", () -> {}, WINDOW, WINDOW, now::get))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenGate("n1", () -> {}, WINDOW, Duration.ZERO, now::get))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
