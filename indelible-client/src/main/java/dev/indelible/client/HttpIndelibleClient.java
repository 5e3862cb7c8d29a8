package dev.indelible.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.tiles.TilePath;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;
import java.util.regex.Pattern;

/**
 * {@link IndelibleClient} over the JDK's {@link HttpClient}: maps each method to one route of the
 * HTTP API (see the server's route table) and decodes its JSON. Retry rules live in {@link
 * RetryingTransport}, batching in {@link EventBatches}.
 */
final class HttpIndelibleClient implements IndelibleClient {
    /** Entries per {@code GET .../entries?start=&end=} page (the server allows 100,000). */
    static final int RANGE_PAGE_MAX_ENTRIES = 10_000;
    /** Largest single response read into memory (an entry, a tile, a bundle, a proof). */
    static final int RESPONSE_MAX_BYTES = 64 << 20;

    /** How long each node may take to say whether it leads. */
    static final Duration LEADER_LOOKUP_TIMEOUT = Duration.ofSeconds(2);

    private static final Pattern LOG_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final String NDJSON = "application/x-ndjson";

    private final Endpoints endpoints;
    private final Duration requestTimeout;
    private final String bearerToken;
    private final HttpClient http;
    private final RetryingTransport transport;
    private final EventBatches batches;
    private final ObjectMapper json = new ObjectMapper();
    /** Logs known to deduplicate client ids, with their window. */
    private final Map<String, Integer> dedupWindows = new ConcurrentHashMap<>();

    HttpIndelibleClient(IndelibleClient.Builder builder) {
        this.endpoints = new Endpoints(builder.baseUrls);
        this.requestTimeout = builder.requestTimeout;
        this.bearerToken = builder.bearerToken;
        // Plain-text HTTP/2 would start with an h2c upgrade that some servers mishandle for POST
        // bodies; HTTP/2 is only worth it over TLS. Redirects (a follower pointing at the leader,
        // 307/308) are followed: a redirected append was refused, not applied.
        this.http = HttpClient.newBuilder()
                .connectTimeout(builder.connectTimeout)
                .version(
                        endpoints.current().getScheme().equals("https")
                                ? HttpClient.Version.HTTP_2
                                : HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.transport =
                new RetryingTransport(http, endpoints, builder.retryPolicy, builder.clock, builder.random, json);
        this.batches = new EventBatches(builder.batchMaxEvents, builder.batchMaxBytes);
    }

    @Override
    public List<AppendedEntry> append(String log, List<byte[]> events) {
        List<AppendedEntry> all = new ArrayList<>(events.size());
        for (List<byte[]> batch : batches.split(events)) {
            all.addAll(appendBatch(log, batch));
        }
        return all;
    }

    @Override
    public List<Receipt> appendWithReceipts(String log, List<byte[]> events) {
        List<Receipt> all = new ArrayList<>(events.size());
        for (List<byte[]> batch : batches.split(events)) {
            all.addAll(appendBatchWithReceipts(log, batch));
        }
        return all;
    }

    @Override
    public long appendNdjson(String log, InputStream ndjson, Consumer<List<AppendedEntry>> onBatch) {
        return batches.read(ndjson, batch -> onBatch.accept(appendBatch(log, batch)));
    }

    @Override
    public long appendNdjsonWithReceipts(String log, InputStream ndjson, Consumer<List<Receipt>> onBatch) {
        return batches.read(ndjson, batch -> onBatch.accept(appendBatchWithReceipts(log, batch)));
    }

    private List<AppendedEntry> appendBatch(String log, List<byte[]> batch) {
        JsonNode response = postEvents(log, batch, "");
        List<AppendedEntry> entries = new ArrayList<>(batch.size());
        for (JsonNode entry : entriesOf(response, batch.size())) {
            entries.add(new AppendedEntry(longField(entry, "leafIndex"), hashField(entry, "leafHash")));
        }
        return entries;
    }

    private List<Receipt> appendBatchWithReceipts(String log, List<byte[]> batch) {
        JsonNode response = postEvents(log, batch, "?wait=checkpoint");
        long treeSize = longField(response, "treeSize");
        String checkpoint = textField(response, "checkpoint");
        List<Receipt> receipts = new ArrayList<>(batch.size());
        for (JsonNode entry : entriesOf(response, batch.size())) {
            receipts.add(new Receipt(
                    longField(entry, "leafIndex"),
                    hashField(entry, "leafHash"),
                    treeSize,
                    hashes(entry.path("inclusionProof")),
                    checkpoint,
                    textField(entry, "proof")));
        }
        return receipts;
    }

    private JsonNode postEvents(String log, List<byte[]> batch, String query) {
        String path = logPath(log) + "/entries" + query;
        byte[] body = EventBatches.ndjson(batch);
        if (endpoints.leaderUnknown()) {
            endpoints.leaderFound(leader().orElse(null));
        }
        return readJson(transport.send(
                base -> request(base, path)
                        .header("Content-Type", NDJSON)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                false,
                () -> resendable(log, batch)));
    }

    /**
     * Whether an append of {@code batch} to {@code log} whose outcome is unknown may be sent again:
     * every event carries a client id ({@link EventBatches#allIdentified}) and the log deduplicates
     * that many recent ids ({@link LogInfo#dedupWindow}, asked of any node once per log), so a resend
     * of an append that did happen answers its original positions and appends nothing.
     */
    private boolean resendable(String log, List<byte[]> batch) {
        if (!EventBatches.allIdentified(batch, json.getFactory())) {
            return false;
        }
        Integer window = dedupWindows.get(log);
        if (window == null) {
            try {
                window = logInfo(log).dedupWindow();
            } catch (ProblemException e) {
                return false; // no node could say: the outcome stays unknown to the caller
            }
            if (window > 0) {
                dedupWindows.put(log, window);
            }
        }
        return batch.size() <= window;
    }

    @Override
    public Optional<URI> leader() {
        for (URI base : endpoints.all()) {
            try {
                HttpResponse<byte[]> response = http.send(
                        request(base, "/v1/cluster")
                                .timeout(LEADER_LOOKUP_TIMEOUT)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() == 200
                        && "LEADER"
                                .equals(json.readTree(response.body())
                                        .path("role")
                                        .asText())) {
                    return Optional.of(base);
                }
            } catch (IOException e) {
                // unreachable or not a cluster node: not the leader to use
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProblemException("looking up the leader was interrupted", e);
            }
        }
        return Optional.empty();
    }

    @Override
    public LogInfo logInfo(String log) {
        JsonNode info = getJson(logPath(log));
        return new LogInfo(
                textField(info, "name"),
                textField(info, "origin"),
                longField(info, "treeSize"),
                hashField(info, "rootHash"),
                info.path("checkpointTreeSize").asLong(-1),
                textField(info, "verifierKey"),
                info.path("dedupWindow").asInt(0));
    }

    @Override
    public byte[] checkpoint(String log) {
        return getBytes(logPath(log) + "/checkpoint");
    }

    @Override
    public byte[] checkpoint(String log, long treeSize) {
        return getBytes(logPath(log) + "/checkpoints/" + nonNegative(treeSize, "treeSize"));
    }

    @Override
    public byte[] entry(String log, long leafIndex) {
        return getBytes(logPath(log) + "/entries/" + nonNegative(leafIndex, "leafIndex"));
    }

    @Override
    public long entries(String log, long start, long end, ObjLongConsumer<byte[]> consumer) {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("range [" + start + ", " + end + ")");
        }
        for (long pageStart = start; pageStart < end; ) {
            long pageEnd = Math.min(end, pageStart + RANGE_PAGE_MAX_ENTRIES);
            String path = logPath(log) + "/entries?start=" + pageStart + "&end=" + pageEnd;
            long delivered = readLines(transport.send(get(path), true), pageStart, consumer);
            if (delivered != pageEnd - pageStart) {
                throw malformed("range [" + pageStart + ", " + pageEnd + ") returned " + delivered + " entries");
            }
            pageStart = pageEnd;
        }
        return end - start;
    }

    private long readLines(InputStream body, long firstLeafIndex, ObjLongConsumer<byte[]> consumer) {
        long leafIndex = firstLeafIndex;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try (InputStream in = new BufferedInputStream(body, 65_536)) {
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                consumer.accept(line.toByteArray(), leafIndex++);
                line.reset();
            }
        } catch (IOException e) {
            throw new ProblemException("reading entries from " + firstLeafIndex + " failed at " + leafIndex, e);
        }
        if (line.size() > 0) {
            consumer.accept(line.toByteArray(), leafIndex++);
        }
        return leafIndex - firstLeafIndex;
    }

    @Override
    public InclusionProof inclusionProof(String log, long leafIndex, long treeSize) {
        String query = "leafIndex=" + nonNegative(leafIndex, "leafIndex") + "&treeSize=" + treeSize;
        return inclusion(getJson(logPath(log) + "/proof/inclusion?" + query));
    }

    @Override
    public InclusionProof inclusionProof(String log, Hash leafHash, long treeSize) {
        String hash = URLEncoder.encode(leafHash.base64(), StandardCharsets.UTF_8);
        return inclusion(getJson(logPath(log) + "/proof/inclusion?leafHash=" + hash + "&treeSize=" + treeSize));
    }

    private InclusionProof inclusion(JsonNode proof) {
        return new InclusionProof(
                longField(proof, "leafIndex"), longField(proof, "treeSize"), hashes(proof.path("hashes")));
    }

    @Override
    public ConsistencyProof consistencyProof(String log, long from, long to) {
        JsonNode proof = getJson(logPath(log) + "/proof/consistency?from=" + nonNegative(from, "from") + "&to=" + to);
        return new ConsistencyProof(longField(proof, "from"), longField(proof, "to"), hashes(proof.path("hashes")));
    }

    @Override
    public byte[] tlogProof(String log, long leafIndex) {
        return getBytes(logPath(log) + "/entries/" + nonNegative(leafIndex, "leafIndex") + "/proof");
    }

    @Override
    public byte[] tile(String log, int level, long index, int width) {
        return getBytes(
                logPath(log) + "/tlog/" + TilePath.hashTile(level, index, width).format());
    }

    @Override
    public byte[] entryBundle(String log, long index, int width) {
        return getBytes(
                logPath(log) + "/tlog/" + TilePath.entryBundle(index, width).format());
    }

    @Override
    public void close() {
        http.close();
    }

    private String logPath(String log) {
        if (!LOG_NAME.matcher(log).matches()) {
            throw new IllegalArgumentException("log name " + log + " does not match " + LOG_NAME.pattern());
        }
        return "/v1/logs/" + log;
    }

    private HttpRequest.Builder request(URI base, String path) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout);
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        return request;
    }

    private Function<URI, HttpRequest> get(String path) {
        return base -> request(base, path).GET().build();
    }

    private byte[] getBytes(String path) {
        try (InputStream in = transport.send(get(path), true)) {
            byte[] bytes = in.readNBytes(RESPONSE_MAX_BYTES);
            if (in.read() >= 0) {
                throw malformed(path + " answered more than " + RESPONSE_MAX_BYTES + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new ProblemException("reading " + path + " failed", e);
        }
    }

    private JsonNode getJson(String path) {
        return readJson(transport.send(get(path), true));
    }

    private JsonNode readJson(InputStream body) {
        try (InputStream in = body) {
            JsonNode node = json.readTree(in.readNBytes(RESPONSE_MAX_BYTES));
            if (node == null || !node.isObject()) {
                throw malformed("expected a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw malformed("unreadable JSON response: " + e.getMessage());
        }
    }

    private static List<JsonNode> entriesOf(JsonNode response, int expected) {
        JsonNode entries = response.path("entries");
        if (!entries.isArray() || entries.size() != expected) {
            throw malformed("sent " + expected + " events, response has " + entries.size() + " entries");
        }
        List<JsonNode> list = new ArrayList<>(expected);
        entries.forEach(list::add);
        return list;
    }

    private static List<Hash> hashes(JsonNode array) {
        if (!array.isArray()) {
            throw malformed("expected an array of base64 hashes");
        }
        List<Hash> hashes = new ArrayList<>(array.size());
        for (JsonNode hash : array) {
            hashes.add(parseHash(hash.asText()));
        }
        return hashes;
    }

    private static long longField(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
            throw malformed("missing or non-integer field " + name);
        }
        return value.asLong();
    }

    private static String textField(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isTextual()) {
            throw malformed("missing or non-text field " + name);
        }
        return value.asText();
    }

    private static Hash hashField(JsonNode node, String name) {
        return parseHash(textField(node, name));
    }

    private static Hash parseHash(String base64) {
        try {
            return Hash.fromBase64(base64);
        } catch (IllegalArgumentException e) {
            throw malformed("bad hash " + base64 + ": " + e.getMessage());
        }
    }

    private static long nonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " " + value + " is negative");
        }
        return value;
    }

    private static ProblemException malformed(String detail) {
        return new ProblemException(200, "malformed-response", detail, false, Optional.empty());
    }
}
