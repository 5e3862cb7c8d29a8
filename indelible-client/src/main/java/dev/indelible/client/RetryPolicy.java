package dev.indelible.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How often and how long the client retries: at most {@code maxAttempts} tries in all, sleeping an
 * exponentially growing, jittered backoff between them ({@code initialBackoff · 2^(n-1)}, capped at
 * {@code maxBackoff}, then a uniformly random part of it between half and all of it, so that many
 * clients do not retry in lock-step). A server's {@code Retry-After} replaces the backoff, bounded
 * by {@code retryAfterMax} so that a server cannot stall a client indefinitely.
 *
 * <p>Which failures are retried is decided by the client, not by the policy: reads retry on
 * connection errors and 5xx; appends only on a retryable 503 (see {@link IndelibleClient}).
 *
 * @param maxAttempts total tries including the first, at least 1
 * @param initialBackoff the wait before the second try
 * @param maxBackoff the longest computed backoff
 * @param retryAfterMax the longest wait a {@code Retry-After} header can impose
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration retryAfterMax) {
    /** Default {@link #maxAttempts()}. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** Upper bound on {@link #maxAttempts()}. */
    public static final int MAX_ATTEMPTS_LIMIT = 100;
    /** Default {@link #initialBackoff()}. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    /** Default {@link #maxBackoff()}. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    /** Default {@link #retryAfterMax()}. */
    public static final Duration DEFAULT_RETRY_AFTER_MAX = Duration.ofSeconds(30);

    /** Validates the bounds. */
    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("maxAttempts " + maxAttempts + ", want 1.." + MAX_ATTEMPTS_LIMIT);
        }
        requirePositive(initialBackoff, "initialBackoff");
        requirePositive(maxBackoff, "maxBackoff");
        requirePositive(retryAfterMax, "retryAfterMax");
    }

    /** The defaults: 5 attempts, 100 ms doubling to 5 s, {@code Retry-After} honoured up to 30 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(
                DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_RETRY_AFTER_MAX);
    }

    /** A policy that never retries. */
    public static RetryPolicy none() {
        return defaults().withMaxAttempts(1);
    }

    /** This policy with another {@link #maxAttempts()}. */
    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(attempts, initialBackoff, maxBackoff, retryAfterMax);
    }

    /** This policy with other backoff bounds. */
    public RetryPolicy withBackoff(Duration initial, Duration max) {
        return new RetryPolicy(maxAttempts, initial, max, retryAfterMax);
    }

    /**
     * The wait before try {@code attempt + 1}, after try {@code attempt} (1-based) failed.
     *
     * @param retryAfter what the server asked for, if anything
     */
    Duration delay(int attempt, Optional<Duration> retryAfter, RandomGenerator random) {
        if (retryAfter.isPresent()) {
            Duration asked = retryAfter.get();
            return asked.compareTo(retryAfterMax) > 0 ? retryAfterMax : asked;
        }
        long initial = initialBackoff.toNanos();
        int shift = Math.min(attempt - 1, 30);
        long exponential = initial > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : initial << shift;
        long capped = Math.min(exponential, maxBackoff.toNanos());
        long jittered = capped / 2 + random.nextLong(capped / 2 + 1);
        return Duration.ofNanos(jittered);
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " " + value + ", want > 0");
        }
    }
}
