package dev.indelible.log.envelope;

/**
 * Limits an {@link EventParser} enforces on one request body.
 *
 * @param eventMaxBytes largest accepted event, measured as the size of its RFC 8785 canonical form
 *     (so the limit does not depend on the client's whitespace or escaping); default {@value
 *     #DEFAULT_EVENT_MAX_BYTES}, bounds [{@value #EVENT_MAX_BYTES_LOWER_BOUND}, {@value
 *     #EVENT_MAX_BYTES_UPPER_BOUND}]
 * @param batchMaxEvents most events accepted in one body; default {@value
 *     #DEFAULT_BATCH_MAX_EVENTS}, bounds [1, {@value #BATCH_MAX_EVENTS_UPPER_BOUND}]
 */
public record EventLimits(int eventMaxBytes, int batchMaxEvents) {
    /** Default {@link #eventMaxBytes}: 1 MiB. */
    public static final int DEFAULT_EVENT_MAX_BYTES = 1 << 20;
    /** Smallest allowed {@link #eventMaxBytes}: 1 KiB. */
    public static final int EVENT_MAX_BYTES_LOWER_BOUND = 1 << 10;
    /** Largest allowed {@link #eventMaxBytes}: 16 MiB. */
    public static final int EVENT_MAX_BYTES_UPPER_BOUND = 16 << 20;
    /** Default {@link #batchMaxEvents}. */
    public static final int DEFAULT_BATCH_MAX_EVENTS = 10_000;
    /** Largest allowed {@link #batchMaxEvents}. */
    public static final int BATCH_MAX_EVENTS_UPPER_BOUND = 100_000;

    /** The defaults. */
    public static final EventLimits DEFAULTS = new EventLimits(DEFAULT_EVENT_MAX_BYTES, DEFAULT_BATCH_MAX_EVENTS);

    /**
     * Checks the bounds.
     *
     * @throws IllegalArgumentException if a value is out of its bounds
     */
    public EventLimits {
        if (eventMaxBytes < EVENT_MAX_BYTES_LOWER_BOUND || eventMaxBytes > EVENT_MAX_BYTES_UPPER_BOUND) {
            throw new IllegalArgumentException("eventMaxBytes " + eventMaxBytes + ", want ["
                    + EVENT_MAX_BYTES_LOWER_BOUND + ", " + EVENT_MAX_BYTES_UPPER_BOUND + "]");
        }
        if (batchMaxEvents < 1 || batchMaxEvents > BATCH_MAX_EVENTS_UPPER_BOUND) {
            throw new IllegalArgumentException(
                    "batchMaxEvents " + batchMaxEvents + ", want [1, " + BATCH_MAX_EVENTS_UPPER_BOUND + "]");
        }
    }
}
