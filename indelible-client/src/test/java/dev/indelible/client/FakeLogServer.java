package dev.indelible.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.indelible.formats.merkle.CompactRange;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleProofs;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.Notes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake indelible server for tests: the JDK HttpServer on 127.0.0.1, one log held in memory as a
 * real RFC 9162 tree (formats' CompactRange and MerkleProofs), checkpoints signed with a real
 * Ed25519 note key. Tests script failures (forced statuses, slow appends) and misbehaviour (a
 * tampered entry bundle, a rewritten history, a forged checkpoint).
 */
public final class FakeLogServer implements AutoCloseable {
    /** The scripted answer to one append request. */
    public record ScriptedAnswer(int status, String code, String retryAfter, long delayMillis) {}

    public static final String LOG = "audit";
    public static final String ORIGIN = "fake.example/audit";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final NoteSigner signer;
    private final String verifierKey;
    private final ConcurrentLinkedQueue<ScriptedAnswer> appendScript = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ScriptedAnswer> readScript = new ConcurrentLinkedQueue<>();
    private final AtomicInteger appendRequests = new AtomicInteger();
    private final AtomicInteger readRequests = new AtomicInteger();
    private final List<Integer> appendBatchSizes = new ArrayList<>();
    private final Map<Long, byte[]> bundleOverrides = new HashMap<>();
    private Function<byte[], byte[]> checkpointFilter = Function.identity();
    private final Map<Long, byte[]> checkpoints = new HashMap<>();
    private Tree tree = new Tree();
    private volatile String clusterRole;
    private volatile int dedupWindow;
    private final AtomicInteger clusterRequests = new AtomicInteger();

    /** Starts a server with a fresh signing key. */
    public FakeLogServer() throws IOException {
        NoteKeys.KeyPairText keys = NoteKeys.generateEd25519(ORIGIN, new SecureRandom());
        signer = NoteSigner.ed25519(keys.signerKey());
        verifierKey = keys.verifierKey();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The base URL, {@code http://127.0.0.1:<port>}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The note verifier key of the checkpoint signer. */
    public String verifierKey() {
        return verifierKey;
    }

    /** Appends {@code count} events {@code {"n":i}} directly and publishes a checkpoint. */
    public synchronized void seed(int count) {
        int first = (int) tree.size();
        for (int i = 0; i < count; i++) {
            tree.add(("{\"n\":" + (first + i) + "}").getBytes(StandardCharsets.UTF_8));
        }
        publish();
    }

    /** The next append requests get these answers instead of being appended. */
    public void script(ScriptedAnswer... answers) {
        appendScript.addAll(List.of(answers));
    }

    /** The next read (GET) requests get these answers. */
    public void scriptReads(ScriptedAnswer... answers) {
        readScript.addAll(List.of(answers));
    }

    /**
     * Answers {@code GET /v1/cluster} with this node {@code role} ({@code LEADER}, {@code FOLLOWER});
     * null (the default) answers 404, as a server that is no cluster node might.
     */
    public void clusterRole(String role) {
        this.clusterRole = role;
    }

    /**
     * What the log info says about deduplication: {@code window} recent client ids (a cluster node
     * says 100,000), 0 (the default) for none. The fake itself never deduplicates.
     */
    public void dedupWindow(int window) {
        this.dedupWindow = window;
    }

    int dedupWindow() {
        return dedupWindow;
    }

    /** How many {@code GET /v1/cluster} requests arrived. */
    public int clusterRequests() {
        return clusterRequests.get();
    }

    /** How many GET requests arrived. */
    public int readRequests() {
        return readRequests.get();
    }

    /** How many append requests arrived. */
    public int appendRequests() {
        return appendRequests.get();
    }

    /** The number of events in each append that was applied. */
    public synchronized List<Integer> appendBatchSizes() {
        return List.copyOf(appendBatchSizes);
    }

    /** Serves entry {@code leafIndex} with other bytes in its entry bundle (hashes unchanged). */
    public synchronized void tamperBundleEntry(long leafIndex, byte[] bytes) {
        bundleOverrides.put(leafIndex, bytes);
    }

    /**
     * Replaces the whole history with entries {@code {"n":i,"rewritten":true}} of the same size
     * and publishes a correctly signed checkpoint of it: a split view.
     */
    public synchronized void rewriteHistory(int extraEntries) {
        long size = tree.size();
        tree = new Tree();
        checkpoints.clear();
        for (long i = 0; i < size + extraEntries; i++) {
            tree.add(("{\"n\":" + i + ",\"rewritten\":true}").getBytes(StandardCharsets.UTF_8));
        }
        publish();
    }

    /** Passes every served checkpoint through {@code filter} (to forge one). */
    public synchronized void filterCheckpoints(Function<byte[], byte[]> filter) {
        checkpointFilter = filter;
    }

    /** The entry bytes the tree holds. */
    public synchronized byte[] entry(long leafIndex) {
        return tree.entries.get((int) leafIndex);
    }

    /** The latest checkpoint note. */
    public synchronized byte[] latestCheckpoint() {
        return checkpoints.get(tree.size());
    }

    private void publish() {
        String text = ORIGIN + "\n" + tree.size() + "\n" + tree.root().base64() + "\n";
        checkpoints.put(tree.size(), Notes.sign(text, List.of(signer)));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }

    private static final Pattern ROUTE = Pattern.compile("/v1/logs/([a-z0-9-]+)(/.*)?");

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (exchange.getRequestURI().getPath().equals("/v1/cluster")) {
                clusterRequests.incrementAndGet();
                String role = clusterRole;
                if (role == null) {
                    problem(exchange, 404, "not-found", "no cluster here", null);
                } else {
                    send(
                            exchange,
                            200,
                            "application/json",
                            ("{\"role\":\"" + role + "\"}").getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            Matcher m = ROUTE.matcher(exchange.getRequestURI().getPath());
            if (!m.matches() || !m.group(1).equals(LOG)) {
                problem(
                        exchange,
                        404,
                        "log-not-found",
                        "no log " + exchange.getRequestURI().getPath(),
                        null);
                return;
            }
            String rest = m.group(2) == null ? "" : m.group(2);
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (exchange.getRequestMethod().equals("POST") && rest.equals("/entries")) {
                append(exchange, "checkpoint".equals(query.get("wait")));
            } else {
                readRequests.incrementAndGet();
                ScriptedAnswer scripted = readScript.poll();
                if (scripted != null) {
                    problem(exchange, scripted.status(), scripted.code(), "scripted", scripted.retryAfter());
                    return;
                }
                Reply reply;
                synchronized (this) {
                    reply = FakeRoutes.get(this, tree, rest, query);
                }
                send(exchange, reply.status, reply.contentType, reply.body);
            }
        } catch (RuntimeException e) {
            problem(exchange, 500, "internal", String.valueOf(e), null);
        }
    }

    private void append(HttpExchange exchange, boolean waitCheckpoint) throws IOException {
        appendRequests.incrementAndGet();
        byte[] body = exchange.getRequestBody().readAllBytes();
        ScriptedAnswer scripted = appendScript.poll();
        if (scripted != null) {
            sleep(scripted.delayMillis());
            if (scripted.status() != 200) {
                problem(exchange, scripted.status(), scripted.code(), "scripted", scripted.retryAfter());
                return;
            }
        }
        String response;
        synchronized (this) {
            List<byte[]> events = new ArrayList<>();
            for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    events.add(line.getBytes(StandardCharsets.UTF_8));
                }
            }
            appendBatchSizes.add(events.size());
            long first = tree.size();
            events.forEach(tree::add);
            publish();
            response = FakeRoutes.appendResponse(tree, first, events.size(), waitCheckpoint, latestCheckpoint());
        }
        send(exchange, 200, "application/json", response.getBytes(StandardCharsets.UTF_8));
    }

    synchronized byte[] checkpointOfSize(long size) {
        byte[] note = checkpoints.get(size);
        return note == null ? null : checkpointFilter.apply(note);
    }

    synchronized byte[] bundleEntry(long leafIndex) {
        byte[] override = bundleOverrides.get(leafIndex);
        return override != null ? override : tree.entries.get((int) leafIndex);
    }

    static void problem(HttpExchange exchange, int status, String code, String detail, String retryAfter)
            throws IOException {
        if (retryAfter != null) {
            exchange.getResponseHeaders().add("Retry-After", retryAfter);
        }
        String body = "{\"type\":\"https://indelible.dev/problems/" + code + "\",\"title\":\"" + code
                + "\",\"status\":" + status + ",\"detail\":\"" + detail.replace("\"", "'") + "\",\"code\":\"" + code
                + "\"}";
        send(exchange, status, "application/problem+json", body.getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(
                            pair.substring(0, eq),
                            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An HTTP answer. */
    record Reply(int status, String contentType, byte[] body) {
        static Reply json(String json) {
            return new Reply(200, "application/json", json.getBytes(StandardCharsets.UTF_8));
        }

        static Reply bytes(String contentType, byte[] body) {
            return new Reply(200, contentType, body);
        }

        static Reply notFound(String code, String detail) {
            String body = "{\"type\":\"about:blank\",\"title\":\"Not found\",\"status\":404,\"detail\":\"" + detail
                    + "\",\"code\":\"" + code + "\"}";
            return new Reply(404, "application/problem+json", body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The log's entries and every complete subtree hash. */
    static final class Tree {
        final List<byte[]> entries = new ArrayList<>();
        final Map<String, Hash> nodes = new HashMap<>();
        final CompactRange range = new CompactRange();

        void add(byte[] entry) {
            entries.add(entry);
            range.append(Rfc9162.leafHash(entry), (level, index, hash) -> nodes.put(level + "/" + index, hash));
        }

        long size() {
            return entries.size();
        }

        Hash root() {
            return range.rootHash();
        }

        MerkleProofs proofs() {
            return new MerkleProofs((level, index) -> nodes.get(level + "/" + index));
        }
    }
}
