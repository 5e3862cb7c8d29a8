package dev.indelible.log;

/**
 * Every error a client can see, with its stable code (the {@code code} member of an RFC 9457
 * problem+json body and the suffix of its {@code type} URI), its HTTP status and whether retrying
 * the same request may succeed. Codes are part of the API: never rename one.
 */
public enum ErrorCode {
    MALFORMED_JSON("malformed-json", 400, false),
    INVALID_UTF8("invalid-utf8", 400, false),
    DUPLICATE_KEY("duplicate-key", 400, false),
    EVENT_NOT_OBJECT("event-not-object", 400, false),
    EMPTY_BATCH("empty-batch", 400, false),
    EVENT_TOO_LARGE("event-too-large", 413, false),
    BODY_TOO_LARGE("body-too-large", 413, false),
    BATCH_TOO_LARGE("batch-too-large", 413, false),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, false),
    INVALID_LOG_NAME("invalid-log-name", 400, false),
    INVALID_PARAMETER("invalid-parameter", 400, false),
    OUT_OF_RANGE("out-of-range", 400, false),
    LOG_NOT_FOUND("log-not-found", 404, false),
    ENTRY_NOT_FOUND("entry-not-found", 404, false),
    CHECKPOINT_NOT_FOUND("checkpoint-not-found", 404, false),
    NOT_FOUND("not-found", 404, false),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, false),
    UNAUTHORIZED("unauthorized", 401, false),
    FORBIDDEN("forbidden", 403, false),
    RATE_LIMITED("rate-limited", 429, true),
    HEADERS_TOO_LARGE("headers-too-large", 431, false),
    OVERLOADED("overloaded", 503, true),
    STORAGE_FAILED("storage-failed", 503, false),
    TOKENS_NOT_CURRENT("tokens-not-current", 503, true),
    INTERNAL("internal", 500, false);

    private final String code;
    private final int httpStatus;
    private final boolean retryable;

    ErrorCode(String code, int httpStatus, boolean retryable) {
        this.code = code;
        this.httpStatus = httpStatus;
        this.retryable = retryable;
    }

    /** The stable, kebab-case code. */
    public String code() {
        return code;
    }

    /** The HTTP status a server answers with. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether the same request may succeed later. */
    public boolean retryable() {
        return retryable;
    }
}
