package dev.indelible.client;

import dev.indelible.formats.merkle.Hash;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;
import java.util.random.RandomGenerator;

/**
 * The Java SDK for one indelible server: appends with batching and bounded retries, reads of
 * entries, checkpoints, proofs and C2SP tlog-tiles. Nothing it returns is trusted by itself: verify
 * checkpoints, proofs and tiles with {@link dev.indelible.client.verify}.
 *
 * <p><b>Retries.</b> Reads (every GET) are idempotent and retry on connection errors, timeouts
 * and 5xx answers. Appends retry when the server answered 503 and said the request is retryable
 * ({@code Retry-After}, code {@code overloaded}), which means it refused the request before
 * sequencing anything, and when the connection could not be made. After an <em>unknown outcome</em>
 * — a timeout, a connection lost mid-request, another 5xx — the server may have appended the
 * entries, so an append is resent only if it is safe: every event of the request has a top-level
 * string {@code "id"} (at most 1,024 chars) and the log deduplicates client ids ({@link
 * LogInfo#dedupWindow} &gt; 0: the server answers a resent request with the original positions and
 * appends nothing, across a cluster's failovers and a node's restarts). Otherwise such failures surface as a {@link
 * ProblemException} with status {@link ProblemException#NO_RESPONSE} (or the server's status) and
 * the caller decides (for example by reading the log back). Give events ids to have the client
 * ride through a leader's failure or a server's restart.
 *
 * <p><b>Batches.</b> Appends are split into requests of at most {@code batchMaxEvents} events and
 * {@code batchMaxBytes} bytes of NDJSON. Each request is all-or-nothing on the server; a failure
 * in batch k leaves batches before k appended.
 *
 * <p>Every failure is an unchecked {@link ProblemException}. Implementations are thread-safe.
 */
public interface IndelibleClient extends AutoCloseable {
    /** A builder with the defaults documented on its setters. */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Appends events (each a JSON object, UTF-8) in order, in batches, and returns each entry's
     * position and leaf hash once it is durable. Newlines inside an event are JSON whitespace and
     * are sent as spaces.
     */
    List<AppendedEntry> append(String log, List<byte[]> events);

    /**
     * Like {@link #append} but each request waits until a signed checkpoint covers the entries, and
     * returns a complete receipt per entry.
     */
    List<Receipt> appendWithReceipts(String log, List<byte[]> events);

    /**
     * Streams NDJSON events (one JSON object per line, blank lines skipped) from {@code ndjson} in
     * batches, calling {@code onBatch} after each batch is durable.
     *
     * @return the number of events appended
     */
    long appendNdjson(String log, InputStream ndjson, Consumer<List<AppendedEntry>> onBatch);

    /** Like {@link #appendNdjson}, waiting for a checkpoint and reporting receipts per batch. */
    long appendNdjsonWithReceipts(String log, InputStream ndjson, Consumer<List<Receipt>> onBatch);

    /** The log's name, origin, sizes and verifier key (unsigned information). */
    LogInfo logInfo(String log);

    /** The latest signed checkpoint note, exactly as served. */
    byte[] checkpoint(String log);

    /** The signed checkpoint of exactly {@code treeSize} leaves, if the log published one. */
    byte[] checkpoint(String log, long treeSize);

    /** The exact bytes of the entry at {@code leafIndex} (what its leaf hash commits to). */
    byte[] entry(String log, long leafIndex);

    /**
     * Streams entries {@code [start, end)} to {@code consumer} in order, paging through the range.
     *
     * @return the number of entries delivered ({@code end - start})
     */
    long entries(String log, long start, long end, ObjLongConsumer<byte[]> consumer);

    /** The inclusion proof of the leaf at {@code leafIndex} in the tree of {@code treeSize}. */
    InclusionProof inclusionProof(String log, long leafIndex, long treeSize);

    /** The inclusion proof of the first leaf with {@code leafHash} in the tree of {@code treeSize}. */
    InclusionProof inclusionProof(String log, Hash leafHash, long treeSize);

    /** The consistency proof between tree sizes {@code from} and {@code to}. */
    ConsistencyProof consistencyProof(String log, long from, long to);

    /** The C2SP tlog-proof@v1 text for the entry at {@code leafIndex} (a receipt). */
    byte[] tlogProof(String log, long leafIndex);

    /**
     * The C2SP tlog-tiles hash tile at {@code level}, {@code index}; {@code width} 256 is a full
     * tile, 1..255 a partial one.
     */
    byte[] tile(String log, int level, long index, int width);

    /** The C2SP tlog-tiles entry bundle {@code index} with {@code width} entries (256 = full). */
    byte[] entryBundle(String log, long index, int width);

    /**
     * The base URL whose node says it leads ({@code GET /v1/cluster}, asking each base URL in turn
     * once); empty if none does (a single node, or none answering).
     */
    Optional<URI> leader();

    /** Releases the HTTP client. */
    @Override
    void close();

    /** Configures an {@link IndelibleClient}. Not thread-safe; build once and share the client. */
    final class Builder {
        /** Default {@link #baseUrl}. */
        public static final URI DEFAULT_BASE_URL = URI.create("http://127.0.0.1:8080");
        /** Default {@link #connectTimeout}. */
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
        /** Default {@link #requestTimeout}: long enough for an append that waits for a checkpoint. */
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
        /** Default {@link #batchMaxEvents}. */
        public static final int DEFAULT_BATCH_MAX_EVENTS = 1_000;
        /** Upper bound of {@link #batchMaxEvents}. */
        public static final int BATCH_MAX_EVENTS_LIMIT = 100_000;
        /** Default {@link #batchMaxBytes}: half the server's default body limit. */
        public static final long DEFAULT_BATCH_MAX_BYTES = 16L << 20;
        /** Upper bound of {@link #batchMaxBytes}. */
        public static final long BATCH_MAX_BYTES_LIMIT = 1L << 30;

        List<URI> baseUrls = List.of(DEFAULT_BASE_URL);
        Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        RetryPolicy retryPolicy = RetryPolicy.defaults();
        int batchMaxEvents = DEFAULT_BATCH_MAX_EVENTS;
        long batchMaxBytes = DEFAULT_BATCH_MAX_BYTES;
        Clock clock = Clock.systemUTC();
        RandomGenerator random = RandomGenerator.getDefault();
        String bearerToken;

        Builder() {}

        /**
         * A credential sent as {@code Authorization: Bearer <token>} on every request (an indelible
         * token or an OIDC JWT); none by default. Never logged.
         */
        public Builder bearerToken(String token) {
            if (token != null && (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
                throw new IllegalArgumentException("a bearer token is printable ASCII without spaces");
            }
            this.bearerToken = token;
            return this;
        }

        /** The server's base URL, such as {@code http://127.0.0.1:8080} (the default). */
        public Builder baseUrl(URI url) {
            return baseUrls(List.of(url));
        }

        /** {@link #baseUrl(URI)} from text. */
        public Builder baseUrl(String url) {
            return baseUrl(URI.create(url));
        }

        /**
         * The base URLs of several nodes of one cluster. Appends go to the node that says it leads
         * ({@code GET /v1/cluster}, asked before the first append and again after a failure), which
         * spares the follower's forward; reads go to the node in use. A request that finds its node
         * unreachable, or answers a server error, is retried (as {@link #retryPolicy} allows) on the
         * next node in the list, and later requests stay there.
         */
        public Builder baseUrls(List<URI> urls) {
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("no base URL");
            }
            List<URI> normalized = new ArrayList<>(urls.size());
            for (URI url : urls) {
                String scheme = url.getScheme();
                if (!"http".equals(scheme) && !"https".equals(scheme)) {
                    throw new IllegalArgumentException("base URL must be http or https, got " + url);
                }
                String text = url.toString();
                normalized.add(URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text));
            }
            if (normalized.stream().map(URI::getScheme).distinct().count() > 1) {
                throw new IllegalArgumentException("base URLs mix http and https: " + urls);
            }
            this.baseUrls = List.copyOf(normalized);
            return this;
        }

        /** How long to wait for a TCP (and TLS) connection; default 5 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long to wait for a response's headers; default 30 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** The retry policy; default {@link RetryPolicy#defaults()}. */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy);
            return this;
        }

        /** Most events per append request, 1..100,000; default 1,000. */
        public Builder batchMaxEvents(int events) {
            if (events < 1 || events > BATCH_MAX_EVENTS_LIMIT) {
                throw new IllegalArgumentException("batchMaxEvents " + events + ", want 1.." + BATCH_MAX_EVENTS_LIMIT);
            }
            this.batchMaxEvents = events;
            return this;
        }

        /**
         * Most NDJSON bytes per append request (a single larger event is still sent alone), 1 B..1
         * GiB; default 16 MiB.
         */
        public Builder batchMaxBytes(long bytes) {
            if (bytes < 1 || bytes > BATCH_MAX_BYTES_LIMIT) {
                throw new IllegalArgumentException("batchMaxBytes " + bytes + ", want 1.." + BATCH_MAX_BYTES_LIMIT);
            }
            this.batchMaxBytes = bytes;
            return this;
        }

        /** The clock that interprets HTTP-date {@code Retry-After} values; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** The randomness behind backoff jitter (tests pass a seeded generator). */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random);
            return this;
        }

        /** A new client; close it when done. */
        public IndelibleClient build() {
            return new HttpIndelibleClient(this);
        }

        private static Duration positive(Duration value, String name) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " " + value + ", want > 0");
            }
            return value;
        }
    }
}
