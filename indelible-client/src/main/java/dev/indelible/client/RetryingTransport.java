package dev.indelible.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Sends one HTTP request with the retry rules of {@link IndelibleClient}: idempotent requests retry
 * on connection errors, timeouts and 5xx; non-idempotent ones only on a retryable 503. Error
 * answers become {@link ProblemException}s decoded from RFC 9457 problem+json when possible.
 */
final class RetryingTransport {
    /** Longest error body read, so that a misbehaving server cannot exhaust memory. */
    static final int ERROR_BODY_MAX_BYTES = 64 * 1024;

    private final HttpClient http;
    private final RetryPolicy policy;
    private final Clock clock;
    private final RandomGenerator random;
    private final ObjectMapper json;
    private final Endpoints endpoints;

    RetryingTransport(
            HttpClient http,
            Endpoints endpoints,
            RetryPolicy policy,
            Clock clock,
            RandomGenerator random,
            ObjectMapper json) {
        this.http = http;
        this.endpoints = endpoints;
        this.policy = policy;
        this.clock = clock;
        this.random = random;
        this.json = json;
    }

    /**
     * Sends the request {@code toBase} makes for the base URL in use until it succeeds or the rules
     * say stop. A connection that could not be made sent nothing, so it is retried even when the
     * request is not idempotent; with several base URLs, every failed attempt moves to the next. The
     * caller MUST close the returned stream.
     *
     * @param idempotent whether the request may be repeated after an unknown outcome
     */
    InputStream send(Function<URI, HttpRequest> toBase, boolean idempotent) {
        return send(toBase, idempotent, () -> false);
    }

    /**
     * Like {@link #send(Function, boolean)} for a request that is not idempotent by itself but may
     * turn out to be resendable: after an unknown outcome (no answer, or a server error other than a
     * retryable 503) it is retried too if {@code resendable} says so — asked at most once, at the
     * first such failure (an append whose events all carry ids, to a log that deduplicates them).
     */
    InputStream send(Function<URI, HttpRequest> toBase, boolean idempotent, BooleanSupplier resendable) {
        BooleanSupplier resend = idempotent ? () -> true : once(resendable);
        for (int attempt = 1; ; attempt++) {
            URI base = endpoints.current();
            HttpRequest request = toBase.apply(base);
            ProblemException failure;
            boolean retry;
            try {
                HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() / 100 == 2) {
                    return response.body();
                }
                failure = problem(response);
                if (failure.status() == 503 && failure.retryable()) {
                    retry = true; // refused before anything was sequenced
                } else if (failure.status() >= 500) {
                    retry = resend.getAsBoolean();
                } else {
                    retry = false;
                }
                if (failure.status() >= 500) {
                    endpoints.failed(base);
                }
            } catch (IOException e) {
                failure = new ProblemException(
                        request.method() + " " + request.uri() + " got no answer: " + describe(e), e);
                retry = nothingSent(e) || resend.getAsBoolean();
                endpoints.failed(base);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProblemException(request.method() + " " + request.uri() + " interrupted", e);
            }
            if (!retry || attempt >= policy.maxAttempts()) {
                throw failure;
            }
            sleep(policy.delay(attempt, failure.retryAfter(), random), failure);
        }
    }

    /** {@code answer}, asked at most once. */
    private static BooleanSupplier once(BooleanSupplier answer) {
        Boolean[] known = {null};
        return () -> {
            if (known[0] == null) {
                known[0] = answer.getAsBoolean();
            }
            return known[0];
        };
    }

    /** Whether {@code e} says the connection was never made, so the server cannot have seen the request. */
    static boolean nothingSent(IOException e) {
        return e instanceof ConnectException || e instanceof HttpConnectTimeoutException;
    }

    /** Decodes an error answer, reading at most {@link #ERROR_BODY_MAX_BYTES} of its body. */
    ProblemException problem(HttpResponse<InputStream> response) {
        int status = response.statusCode();
        Optional<Duration> retryAfter =
                response.headers().firstValue("Retry-After").flatMap(this::retryAfter);
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(ERROR_BODY_MAX_BYTES);
        } catch (IOException e) {
            body = new byte[0];
        }
        String code = "http-" + status;
        String detail = new String(body, StandardCharsets.UTF_8).strip();
        try {
            JsonNode node = json.readTree(body);
            if (node != null && node.isObject() && node.path("code").isTextual()) {
                code = node.get("code").asText();
                detail = node.path("detail").asText(node.path("title").asText(""));
            }
        } catch (IOException notJson) {
            // Not problem+json (a proxy's HTML page, say): keep the text as the detail.
        }
        if (detail.length() > 500) {
            detail = detail.substring(0, 500) + "…";
        }
        boolean retryable = status == 503 && (retryAfter.isPresent() || code.equals("overloaded"));
        return new ProblemException(status, code, detail, retryable, retryAfter);
    }

    /** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. */
    Optional<Duration> retryAfter(String value) {
        String text = value.strip();
        try {
            long seconds = Long.parseLong(text);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(Math.min(seconds, 86_400)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant when = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration wait = Duration.between(clock.instant(), when);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    private static void sleep(Duration delay, ProblemException failure) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure;
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }
}
