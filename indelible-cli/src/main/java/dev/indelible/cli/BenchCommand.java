package dev.indelible.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.client.IndelibleClient;
import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.note.Notes;
import dev.indelible.formats.note.Verifiers;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code indelible bench}: the project's load generator. Drives a running server over HTTP with
 * synthetic audit events, records the latency of every acknowledged append in an HdrHistogram
 * (open-loop when {@code --rate} is given: latency counts from the moment a request was due, so a
 * stalled server cannot hide its stall), prints throughput and percentiles, and finally proves a
 * sample of the acknowledged appends: each sampled entry must be readable, hash to its leaf hash,
 * and be included in a checkpoint whose signature verifies. A benchmark can therefore never count
 * an append that is not really in the log.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Load-test a running server and verify what it acknowledged.")
final class BenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SAMPLE_MAX = 200;
    /** How long the proof of the sample waits for a checkpoint covering it (servers seal every second by default). */
    private static final Duration CHECKPOINT_WAIT = Duration.ofSeconds(60);

    private static final char[] PADDING = randomLetters(1 << 16, new Random(0x1de11b1eL));
    private static final int UNIQUE_PADDING_CHARS = 16 << 20;

    /** Where each event's padding comes from. */
    enum Padding {
        /** Slices of one 64 KB block of random letters: repeats within a request, as audit events do. */
        repeating,
        /** Slices of a 16 MB block: within a request hardly anything repeats (random letters only). */
        unique;

        /** The letters padding is sliced from. */
        char[] letters() {
            return this == unique ? randomLetters(UNIQUE_PADDING_CHARS, new Random(0x0111e55eL)) : PADDING;
        }
    }

    @Option(
            names = "--padding",
            defaultValue = "repeating",
            description = "Event padding: repeating (slices of one 64 KB block of random letters, so a 1,000-event"
                    + " request compresses about 7x, like real audit events) or unique (slices of a 16 MB block:"
                    + " about 1.7x, the entropy of random letters) (default: ${DEFAULT-VALUE}).")
    Padding padding;

    @Option(
            names = "--ids",
            description = "Give every event a client id (\"id\": a random prefix for this run, then the event's"
                    + " number), as a client that wants its retries deduplicated does.")
    boolean ids;

    /** The prefix of this run's event ids (with {@link #ids}). */
    String idPrefix = Long.toString(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE, 36);

    /** The letters event padding is sliced from; set when the run starts. */
    char[] paddingLetters = PADDING;

    @Option(
            names = "--url",
            defaultValue = "http://127.0.0.1:8080",
            split = ",",
            description = "Server base URL (default: ${DEFAULT-VALUE}); several, comma-separated, for the"
                    + " nodes of a cluster: appends then go to the one that leads when the run starts.")
    List<String> urls;

    /** The base URL appends and reads go to; set when the run starts. */
    private String url;

    @Option(names = "--log", defaultValue = "bench", description = "Log to append to (default: ${DEFAULT-VALUE}).")
    String log;

    @Option(
            names = "--events",
            defaultValue = "100000",
            description = "Events to send in all (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--batch", defaultValue = "1000", description = "Events per request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--size",
            defaultValue = "500",
            description = "Bytes per event, approximately (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(
            names = "--concurrency",
            defaultValue = "4",
            description = "Concurrent connections (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--rate", description = "Target events/s (open loop); unlimited when absent.")
    Double rate;

    @Option(
            names = "--duration",
            description = "Stop after this many seconds even if --events are not all sent (the warm-up, if any, is"
                    + " bounded alike).")
    Double durationSeconds;

    @Option(names = "--vkey", description = "Pinned verifier key (text or @file); default: the one the server reports.")
    String vkey;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Option(
            names = "--warmup",
            defaultValue = "0",
            description = "Events to send first, the same way but unmeasured, to warm up this load generator's own"
                    + " JIT (default: ${DEFAULT-VALUE}).")
    long warmupEvents;

    @Option(
            names = "--latency-log",
            description = "Write one CSV line per measured request (request number, when it was due in ms from the"
                    + " start and in epoch ms, latency ms, HTTP status) to this file, to see when in a run the slow"
                    + " requests were.")
    Path latencyLog;

    @picocli.CommandLine.Mixin
    TokenOption token = new TokenOption();

    private record Sample(long leafIndex, Hash leafHash) {}

    /** When each request was due and how long it took (status 0: never sent), indexed by request number. */
    private static final class RequestLog {
        private static final long MAX_REQUESTS = 10_000_000;
        private final long[] dueNanos;
        private final long[] latencyNanos;
        private final int[] status;

        RequestLog(long requests) {
            if (requests > MAX_REQUESTS) {
                throw new IllegalArgumentException("--latency-log keeps at most " + MAX_REQUESTS + " requests");
            }
            dueNanos = new long[(int) requests];
            latencyNanos = new long[(int) requests];
            status = new int[(int) requests];
        }

        void record(long request, long due, long latency, int httpStatus) {
            int i = (int) request;
            dueNanos[i] = due;
            latencyNanos[i] = latency;
            status[i] = httpStatus;
        }

        void write(Path file, long startEpochMillis) throws IOException {
            try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
                out.println("request,due_ms,due_epoch_ms,latency_ms,status");
                for (int i = 0; i < status.length; i++) {
                    if (status[i] != 0) {
                        out.printf(
                                Locale.ROOT,
                                "%d,%.3f,%d,%.3f,%d%n",
                                i,
                                dueNanos[i] / 1e6,
                                startEpochMillis + dueNanos[i] / 1_000_000,
                                latencyNanos[i] / 1e6,
                                status[i]);
                    }
                }
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (batch < 1
                || batch > 100_000
                || concurrency < 1
                || concurrency > 1_024
                || size < 64
                || events < 1
                || warmupEvents < 0) {
            throw new IllegalArgumentException(
                    "need 1 <= batch <= 100000, 1 <= concurrency <= 1024, size >= 64, events >= 1, warmup >= 0");
        }
        paddingLetters = padding.letters();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        url = urls.size() == 1 ? urls.get(0) : leaderOf(urls);
        if (urls.size() > 1) {
            System.err.println("appending through " + url + " (the leader)");
        }
        URI appendUri = URI.create(url + "/v1/logs/" + log + "/entries");
        if (warmupEvents > 0) {
            // The load generator's own JIT warm-up would otherwise count as the server's latency
            // in the first seconds of a run.
            Phase warmup = drive(http, appendUri, warmupEvents, 0, false);
            if (warmup.failed() > 0) {
                System.err.printf("warm-up: %,d events failed; not measuring%n", warmup.failed());
                return 2;
            }
        }
        Phase run = drive(http, appendUri, events, warmupEvents, true);
        if (run.requestLog() != null) {
            run.requestLog().write(latencyLog, run.startEpochMillis());
        }
        String verified = verifySample(http, run.samples());
        print(run.acknowledged(), run.failed(), run.seconds(), run.latencies(), verified);
        return run.failed() == 0 ? 0 : 2;
    }

    /** What one phase of sending sent and measured. */
    private record Phase(
            long acknowledged,
            long failed,
            double seconds,
            Histogram latencies,
            List<Sample> samples,
            RequestLog requestLog,
            long startEpochMillis) {}

    /**
     * Sends {@code phaseEvents} events (sequence numbers from {@code firstSeq}) in requests of
     * {@code --batch}, over {@code --concurrency} connections at {@code --rate}; records latencies,
     * samples and the request log only when {@code measured}.
     */
    private Phase drive(HttpClient http, URI appendUri, long phaseEvents, long firstSeq, boolean measured)
            throws InterruptedException {
        long requests = (phaseEvents + batch - 1) / batch;
        AtomicLong nextRequest = new AtomicLong();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Recorder recorder = new Recorder(3);
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        double requestIntervalNanos = rate == null ? 0 : 1e9 * batch / rate;
        RequestLog requestLog = latencyLog == null || !measured ? null : new RequestLog(requests);
        long deadline = durationSeconds == null ? Long.MAX_VALUE : System.nanoTime() + (long) (durationSeconds * 1e9);
        long start = System.nanoTime();
        long startEpochMillis = System.currentTimeMillis();
        CountDownLatch done = new CountDownLatch(concurrency);
        PrintStream err = System.err;
        Thread progress = Thread.ofPlatform().daemon(true).start(() -> reportProgress(acknowledged, phaseEvents, err));
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            Thread.ofPlatform().name("bench-" + w).start(() -> {
                Random random = new Random(firstSeq + worker);
                PlainHttpConnection plain = null;
                try {
                    if (appendUri.getScheme().equals("http")) {
                        plain = new PlainHttpConnection(appendUri, "application/x-ndjson", token.value(), 60_000);
                    }
                    long r;
                    while ((r = nextRequest.getAndIncrement()) < requests && System.nanoTime() < deadline) {
                        // The body is made before the request is due: its making is the load
                        // generator's time, not the server's.
                        int count = (int) Math.min(batch, phaseEvents - r * batch);
                        byte[] body = body(firstSeq + r * batch, count, random);
                        long due = requestIntervalNanos == 0
                                ? System.nanoTime()
                                : start + (long) (r * requestIntervalNanos);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        PlainHttpConnection.Reply response =
                                plain != null ? plain.post(body) : send(http, appendUri, body);
                        long latency = System.nanoTime() - due;
                        if (requestLog != null) {
                            requestLog.record(r, due - start, latency, response.status());
                        }
                        if (response.status() != 200) {
                            failed.addAndGet(count);
                            continue;
                        }
                        recorder.recordValue(Math.max(1, latency / 1_000));
                        acknowledged.addAndGet(count);
                        if (measured
                                && samples.size() < SAMPLE_MAX
                                && random.nextInt(Math.max(1, (int) (requests / SAMPLE_MAX))) == 0) {
                            JsonNode first = JSON.readTree(response.body())
                                    .path("entries")
                                    .path(0);
                            samples.add(new Sample(
                                    first.path("leafIndex").asLong(),
                                    Hash.fromBase64(first.path("leafHash").asText())));
                        }
                    }
                } catch (Exception e) {
                    err.println("bench worker " + worker + " stopped: " + Main.oneLine(e));
                    failed.incrementAndGet();
                } finally {
                    closeQuietly(plain);
                    done.countDown();
                }
            });
        }
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.interrupt();
        return new Phase(
                acknowledged.get(),
                failed.get(),
                seconds,
                recorder.getIntervalHistogram(),
                new ArrayList<>(samples),
                requestLog,
                startEpochMillis);
    }

    /** One append through the JDK client (https URLs). */
    private PlainHttpConnection.Reply send(HttpClient http, URI uri, byte[] body) throws Exception {
        HttpRequest request = authorized(HttpRequest.newBuilder(uri))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new PlainHttpConnection.Reply(response.statusCode(), response.body());
    }

    private static void closeQuietly(PlainHttpConnection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException e) {
                // the run is over; nothing to do
            }
        }
    }

    private static char[] randomLetters(int count, Random random) {
        char[] letters = new char[count];
        for (int i = 0; i < count; i++) {
            letters[i] = (char) ('a' + random.nextInt(26));
        }
        return letters;
    }

    /** A request body: {@code count} NDJSON events of about {@link #size} bytes, numbered from {@code firstSeq}. */
    byte[] body(long firstSeq, int count, Random random) {
        StringBuilder out = new StringBuilder(count * (size + 16));
        String[] actions = {"create", "update", "delete", "get", "list", "login", "exec"};
        for (int i = 0; i < count; i++) {
            int lineStart = out.length();
            out.append("{\"actor\":\"user-")
                    .append(random.nextInt(10_000))
                    .append("\",\"action\":\"")
                    .append(actions[random.nextInt(actions.length)])
                    .append("\",\"resource\":\"/api/v1/namespaces/ns-")
                    .append(random.nextInt(100))
                    .append("/pods/pod-")
                    .append(random.nextInt(100_000))
                    .append("\",\"outcome\":\"success\",\"seq\":")
                    .append(firstSeq + i);
            if (ids) {
                out.append(",\"id\":\"")
                        .append(idPrefix)
                        .append('-')
                        .append(firstSeq + i)
                        .append('"');
            }
            out.append(",\"pad\":\"");
            int padLength = Math.max(0, size - (out.length() - lineStart) - 2);
            appendPadding(out, padLength, paddingLetters, random);
            out.append("\"}\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Appends {@code count} random lower-case letters: a slice, at a random offset, of a fixed block
     * of random letters. One random draw per event instead of one per byte keeps the generator's CPU
     * cost (which competes with the server on a small machine) far below the server's.
     */
    private static void appendPadding(StringBuilder out, int count, char[] letters, Random random) {
        int done = 0;
        while (done < count) {
            int n = Math.min(count - done, letters.length / 2);
            out.append(letters, random.nextInt(letters.length - n + 1), n);
            done += n;
        }
    }

    private static void reportProgress(AtomicLong acknowledged, long total, PrintStream err) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(1_000);
                err.printf("\r%,d / %,d events acknowledged", acknowledged.get(), total);
            }
        } catch (InterruptedException e) {
            err.println();
        }
    }

    /**
     * The one of {@code urls} whose node says ({@code GET /v1/cluster}) that it leads, so that appends
     * skip the follower's forward to the leader; the first if none does (or none answers).
     */
    String leaderOf(List<String> urls) {
        try (IndelibleClient client = IndelibleClient.builder()
                .baseUrls(urls.stream().map(URI::create).toList())
                .bearerToken(token.value())
                .build()) {
            return client.leader().map(URI::toString).orElse(urls.get(0));
        }
    }

    /** Proves every sampled append against a signed checkpoint; throws on any failure. */
    private String verifySample(HttpClient http, List<Sample> sample) throws Exception {
        if (sample.isEmpty()) {
            return "nothing sampled";
        }
        long needed = sample.stream().mapToLong(Sample::leafIndex).max().orElse(0) + 1;
        String base = url + "/v1/logs/" + log;
        String key = vkey != null
                ? Keys.read(vkey)
                : JSON.readTree(get(http, base)).path("verifierKey").asText();
        Verifiers verifiers = Verifiers.of(NoteVerifier.ed25519(key));
        Checkpoint checkpoint = null;
        long waitUntil = System.nanoTime() + CHECKPOINT_WAIT.toNanos();
        while (checkpoint == null) {
            byte[] note = getUnless404(http, base + "/checkpoint"); // none yet: a log younger than its interval
            Checkpoint current = note == null
                    ? null
                    : Checkpoint.parse(Notes.open(note, verifiers).text());
            if (current != null && current.treeSize() >= needed) {
                checkpoint = current;
            } else if (System.nanoTime() > waitUntil) {
                throw new IllegalStateException("no checkpoint covering tree size " + needed + " appeared within "
                        + CHECKPOINT_WAIT.toSeconds() + " s");
            } else {
                Thread.sleep(100);
            }
        }
        for (Sample s : sample) {
            byte[] entry = get(http, base + "/entries/" + s.leafIndex());
            if (!Rfc9162.leafHash(entry).equals(s.leafHash())) {
                throw new IllegalStateException(
                        "entry " + s.leafIndex() + " does not hash to the acknowledged leaf hash");
            }
            JsonNode proof = JSON.readTree(get(
                    http, base + "/proof/inclusion?leafIndex=" + s.leafIndex() + "&treeSize=" + checkpoint.treeSize()));
            List<Hash> hashes = new ArrayList<>();
            proof.path("hashes").forEach(h -> hashes.add(Hash.fromBase64(h.asText())));
            MerkleVerifier.verifyInclusion(
                    s.leafIndex(), checkpoint.treeSize(), s.leafHash(), hashes, checkpoint.rootHash());
        }
        return sample.size() + " sampled appends proven in signed checkpoint of size " + checkpoint.treeSize();
    }

    /** Adds the bearer token, if one is configured. */
    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        String value = token.value();
        return value == null ? request : request.header("Authorization", "Bearer " + value);
    }

    private byte[] get(HttpClient http, String uri) throws Exception {
        byte[] body = getUnless404(http, uri);
        if (body == null) {
            throw new IllegalStateException("GET " + uri + " answered 404");
        }
        return body;
    }

    /** The body of a 200 answer, or null for a 404; any other answer throws. */
    private byte[] getUnless404(HttpClient http, String uri) throws Exception {
        HttpResponse<byte[]> response = http.send(
                authorized(HttpRequest.newBuilder(URI.create(uri)))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
        }
        return response.body();
    }

    private void print(long acknowledged, long failed, double seconds, Histogram h, String verified) {
        double eventsPerSecond = acknowledged / seconds;
        double ms = 1_000.0;
        if (json) {
            System.out.printf(
                    "{\"events\":%d,\"failed\":%d,\"seconds\":%.3f,\"eventsPerSecond\":%.1f,\"batch\":%d,\"size\":%d,"
                            + "\"concurrency\":%d,\"rate\":%s,\"latencyMs\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,"
                            + "\"p999\":%.3f,\"max\":%.3f},\"verified\":\"%s\"}%n",
                    acknowledged,
                    failed,
                    seconds,
                    eventsPerSecond,
                    batch,
                    size,
                    concurrency,
                    rate == null ? "null" : String.format("%.1f", rate),
                    h.getValueAtPercentile(50) / ms,
                    h.getValueAtPercentile(90) / ms,
                    h.getValueAtPercentile(99) / ms,
                    h.getValueAtPercentile(99.9) / ms,
                    h.getMaxValue() / ms,
                    verified);
            return;
        }
        System.out.printf("events acknowledged  %,d (failed %,d) in %.2f s%n", acknowledged, failed, seconds);
        System.out.printf(
                "throughput           %,.0f events/s (%,.0f requests/s)%n",
                eventsPerSecond, h.getTotalCount() / seconds);
        System.out.printf(
                "latency ms           p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                h.getValueAtPercentile(50) / ms,
                h.getValueAtPercentile(90) / ms,
                h.getValueAtPercentile(99) / ms,
                h.getValueAtPercentile(99.9) / ms,
                h.getMaxValue() / ms);
        System.out.println("verified             " + verified);
    }
}
