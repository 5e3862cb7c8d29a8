package dev.indelible.log;

/**
 * The one unchecked root of every error a caller can act on; its {@link ErrorCode} says what the
 * caller must do (fix the request, retry later, or give up). Messages carry the values that failed
 * and never secrets.
 */
public class IndelibleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /** An error of kind {@code code} described by {@code message}. */
    public IndelibleException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    /** An error of kind {@code code} with an underlying cause. */
    public IndelibleException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** What kind of error this is. */
    public ErrorCode code() {
        return code;
    }
}
