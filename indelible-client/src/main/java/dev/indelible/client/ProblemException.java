package dev.indelible.client;

import java.time.Duration;
import java.util.Optional;

/**
 * The server refused a request, or answered in a way the client cannot use. Carries the HTTP status
 * and, when the server sent an RFC 9457 problem+json body, its stable {@code code} and {@code
 * detail}. Callers decide by {@link #code()} (never by parsing the message) and by {@link
 * #retryable()}.
 */
public final class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** {@link #status()} of a failure that never got an HTTP answer (connection error, timeout). */
    public static final int NO_RESPONSE = 0;

    private final int status;
    private final String code;
    private final String detail;
    private final boolean retryable;
    private final transient Optional<Duration> retryAfter;

    /**
     * A problem answered with {@code status}.
     *
     * @param code the problem's stable code, or {@code "http-<status>"} when the body had none
     * @param retryAfter the server's {@code Retry-After}, when it sent one
     */
    public ProblemException(int status, String code, String detail, boolean retryable, Optional<Duration> retryAfter) {
        super(message(status, code, detail), null);
        this.status = status;
        this.code = code;
        this.detail = detail;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** A request that got no HTTP answer; {@code cause} says why. */
    ProblemException(String detail, Throwable cause) {
        super(detail, cause);
        this.status = NO_RESPONSE;
        this.code = "no-response";
        this.detail = detail;
        this.retryable = false;
        this.retryAfter = Optional.empty();
    }

    private static String message(int status, String code, String detail) {
        return "HTTP " + status + " " + code + (detail.isEmpty() ? "" : ": " + detail);
    }

    /** The HTTP status, or {@link #NO_RESPONSE}. */
    public int status() {
        return status;
    }

    /** The stable problem code, such as {@code log-not-found} or {@code overloaded}. */
    public String code() {
        return code;
    }

    /** The server's human-readable explanation (may be empty). */
    public String detail() {
        return detail;
    }

    /** Whether the server said the same request may succeed later (503 with {@code Retry-After}). */
    public boolean retryable() {
        return retryable;
    }

    /** How long the server asked the client to wait before retrying. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
