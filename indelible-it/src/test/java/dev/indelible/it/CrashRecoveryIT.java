package dev.indelible.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.indelible.formats.merkle.CompactRange;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.merkle.Rfc9162;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability contract end to end: several clients append NDJSON batches to a real server
 * process, which is {@code kill -9}'d mid-load and restarted on the same data directory, three
 * times. Every acknowledged entry must be back with the same leaf hash at the same index, and
 * every checkpoint seen before a crash must be provably consistent with the first one after it.
 *
 * <p>Reproduce a failure with {@code -Dit.seed=<seed>} (the seed is printed and in every message);
 * kill timing still depends on the machine, so a seed fixes the batch sizes and kill delays only.
 */
class CrashRecoveryIT {
    private static final String LOG = "crash";
    private static final int CLIENTS = 4;
    private static final int ROUNDS = 3;
    private static final int MAX_BATCH = 200;
    private static final int EVENT_PAD = 250; // ~300-byte events with id and round
    private static final long CHECKPOINT_INTERVAL_MS = 150;
    private static final int MAX_BATCHES_PER_CLIENT = 20_000;
    private static final Duration RANGE_CHUNK_TIMEOUT = Duration.ofSeconds(30);
    private static final int RANGE_CHUNK = 5_000;
    private static final int SAMPLED_SINGLE_GETS = 200;
    private static final int SAMPLED_INCLUSION_PROOFS = 50;
    private static final int MAX_TILES_CHECKED = 1_000;
    private static final int SAMPLED_BUNDLES = 20;

    @TempDir
    Path data;

    private final List<ServerProcess> servers = new ArrayList<>();

    /** One acknowledged event. */
    record Ack(long leafIndex, Hash leafHash, String eventId, int round) {}

    @AfterEach
    void killLeftovers() {
        for (ServerProcess server : servers) {
            server.close();
        }
    }

    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void everyAcknowledgedEntrySurvivesKillNineAndCheckpointsStayConsistent() throws Exception {
        long seed = Long.getLong("it.seed", System.nanoTime());
        System.out.println("CrashRecoveryIT seed=" + seed + " (rerun with -Dit.seed=" + seed + ")");
        Random random = new Random(seed);
        String context = "seed=" + seed + ": ";

        ConcurrentSkipListMap<Long, Ack> acks = new ConcurrentSkipListMap<>();
        List<String> collisions = new CopyOnWriteArrayList<>();

        ServerProcess server = start();
        String publicKey = server.publicKey();
        assertThat(publicKey)
                .as(context + "the server prints its public key at start")
                .isNotNull();
        AtomicReference<String> logVerifierKey = new AtomicReference<>();
        for (int round = 0; round < ROUNDS; round++) {
            Load load = new Load(server, round, random.nextLong(), acks, collisions);
            long started = System.nanoTime();
            load.start();
            load.awaitFirstAck();
            System.out.printf(
                    "round %d: first acknowledgement after %d ms%n", round, (System.nanoTime() - started) / 1_000_000);
            long killAfter = 1_000 + random.nextInt(2_001);
            Thread.sleep(killAfter);
            long acknowledgedBeforeKill = load.acknowledged.get();
            server.kill();
            load.join();
            System.out.printf(
                    "round %d: killed after %d ms; %d events acknowledged (%d before SIGKILL was sent), %d batches, "
                            + "%d checkpoints seen, %d requests failed by the kill%n",
                    round,
                    killAfter,
                    load.acknowledged.get(),
                    acknowledgedBeforeKill,
                    load.batches.get(),
                    load.checkpoints.size(),
                    load.failedByKill.get());
            assertThat(load.unexpected)
                    .as(context + "unexpected responses during load, round " + round)
                    .isEmpty();
            assertThat(collisions)
                    .as(context + "two acknowledged events share a leaf index")
                    .isEmpty();
            assertThat(load.acknowledged.get())
                    .as(context + "round " + round + " made progress before the kill; server output:\n"
                            + server.output())
                    .isPositive();

            server = start();
            assertThat(server.publicKey())
                    .as(context + "public key after restart " + round)
                    .isEqualTo(publicKey);
            checkRecovered(
                    server,
                    logVerifierKey,
                    acks,
                    load.checkpoints,
                    new Random(random.nextLong()),
                    context + "round " + round + ": ");
        }
    }

    private ServerProcess start() throws IOException {
        ServerProcess server = ServerProcess.start(data, CHECKPOINT_INTERVAL_MS);
        servers.add(server);
        return server;
    }

    private void checkRecovered(
            ServerProcess server,
            AtomicReference<String> logVerifierKey,
            ConcurrentSkipListMap<Long, Ack> acks,
            List<String> seenCheckpoints,
            Random random,
            String context)
            throws Exception {
        try (Http http = new Http(server)) {
            Http.Response info = http.get("/v1/logs/" + LOG);
            assertThat(info.status())
                    .as(context + "log info after restart: " + info)
                    .isEqualTo(200);
            JsonNode infoJson = info.json();
            String verifierKey = infoJson.path("verifierKey").asText();
            logVerifierKey.compareAndSet(null, verifierKey);
            assertThat(verifierKey)
                    .as(context + "the log's verifier key stays the same across restarts")
                    .isEqualTo(logVerifierKey.get());
            assertThat(Checkpoint.publicKeyOf(verifierKey))
                    .as(context + "the log's verifier key holds the printed public key")
                    .isEqualTo(server.publicKey());
            assertThat(server.logVerifierKeys())
                    .as(context + "verifier keys printed at restart")
                    .containsEntry(LOG, verifierKey);
            long recoveredSize = infoJson.path("treeSize").asLong();
            long maxAcked = acks.lastKey();
            assertThat(recoveredSize)
                    .as(context + "tree size after restart vs max acknowledged index " + maxAcked)
                    .isGreaterThanOrEqualTo(maxAcked + 1);

            // Every leaf of the recovered tree, read as NDJSON ranges, hashed here and compared with the acks.
            CompactRange tree = new CompactRange();
            byte[] leafHashes = new byte[Math.toIntExact(recoveredSize * Hash.SIZE)];
            List<Hash> level8 = new ArrayList<>(); // roots of complete 256-leaf subtrees: the hashes in level-1 tiles
            List<String> mismatches = new ArrayList<>();
            long start = 0;
            while (start < recoveredSize) {
                long end = Math.min(recoveredSize, start + RANGE_CHUNK);
                Http.Response range = http.get("/v1/logs/" + LOG + "/entries?start=" + start + "&end=" + end);
                assertThat(range.status())
                        .as(context + "range [" + start + "," + end + "): " + range)
                        .isEqualTo(200);
                List<byte[]> lines = ndjsonLines(range.body());
                assertThat(lines)
                        .as(context + "entries in range [" + start + "," + end + ")")
                        .hasSize((int) (end - start));
                for (int i = 0; i < lines.size(); i++) {
                    long index = start + i;
                    Hash leafHash = Rfc9162.leafHash(lines.get(i));
                    leafHash.copyTo(leafHashes, Math.toIntExact(index * Hash.SIZE));
                    tree.append(leafHash, (level, idx, hash) -> {
                        if (level == 8) {
                            level8.add(hash);
                        }
                    });
                    Ack ack = acks.get(index);
                    if (ack != null && mismatches.size() < 20) {
                        String entry = new String(lines.get(i), StandardCharsets.UTF_8);
                        if (!ack.leafHash().equals(leafHash)) {
                            mismatches.add("leaf " + index + ": acknowledged hash " + ack.leafHash() + ", now "
                                    + leafHash + " (" + entry + ")");
                        } else if (!entry.contains("\"id\":\"" + ack.eventId() + "\"")) {
                            mismatches.add("leaf " + index + " does not hold event " + ack.eventId() + ": " + entry);
                        }
                    }
                }
                start = end;
            }
            assertThat(mismatches)
                    .as(context + "acknowledged leaves that changed or vanished")
                    .isEmpty();
            assertThat(tree.rootHash())
                    .as(context + "root of all leaves vs the server's rootHash")
                    .isEqualTo(Hash.fromBase64(infoJson.path("rootHash").asText()));

            checkTiles(http, recoveredSize, leafHashes, level8, random, context);

            // GET entries/{i} individually for a sample of acks and the last one.
            List<Ack> all = new ArrayList<>(acks.values());
            List<Ack> sample = new ArrayList<>();
            sample.add(acks.lastEntry().getValue());
            for (int i = 0; i < SAMPLED_SINGLE_GETS; i++) {
                sample.add(all.get(random.nextInt(all.size())));
            }
            for (Ack ack : sample) {
                Http.Response entry = http.get("/v1/logs/" + LOG + "/entries/" + ack.leafIndex());
                assertThat(entry.status())
                        .as(context + "GET entry " + ack.leafIndex())
                        .isEqualTo(200);
                assertThat(Rfc9162.leafHash(entry.body()))
                        .as(context + "leaf hash of GET entries/" + ack.leafIndex())
                        .isEqualTo(ack.leafHash());
            }

            // The server still appends after recovery; its checkpoint covers everything recovered.
            String marker = "{\"data\":\"after-restart\",\"id\":\"marker-" + System.nanoTime() + "\"}";
            Http.Response appended =
                    http.post("/v1/logs/" + LOG + "/entries?wait=checkpoint", "application/json", marker);
            assertThat(appended.status())
                    .as(context + "append after restart: " + appended)
                    .isEqualTo(200);
            long markerIndex =
                    appended.json().path("entries").get(0).path("leafIndex").asLong();
            assertThat(markerIndex)
                    .as(context + "the first new leaf after restart")
                    .isEqualTo(recoveredSize);
            Checkpoint after =
                    Checkpoint.verified(appended.json().path("checkpoint").asText(), verifierKey);
            assertThat(after.treeSize()).isGreaterThan(markerIndex);

            // Every checkpoint seen before the kill is kept, and is consistent with the one after the restart.
            Map<Long, String> distinct = new TreeMap<>();
            for (String note : seenCheckpoints) {
                distinct.putIfAbsent(Checkpoint.parse(note).treeSize(), note);
            }
            assertThat(distinct)
                    .as(context + "checkpoints observed before the kill")
                    .isNotEmpty();
            for (String note : distinct.values()) {
                Checkpoint before = Checkpoint.verified(note, verifierKey);
                assertThat(before.origin()).isEqualTo(after.origin());
                Http.Response kept = http.get("/v1/logs/" + LOG + "/checkpoints/" + before.treeSize());
                assertThat(kept.status())
                        .as(context + "checkpoint of size " + before.treeSize() + " is kept: " + kept)
                        .isEqualTo(200);
                assertThat(kept.text())
                        .as(context + "kept checkpoint " + before.treeSize())
                        .isEqualTo(note);
                Http.Response proof = http.get(
                        "/v1/logs/" + LOG + "/proof/consistency?from=" + before.treeSize() + "&to=" + after.treeSize());
                assertThat(proof.status())
                        .as(context + "consistency proof " + before.treeSize() + "->" + after.treeSize() + ": " + proof)
                        .isEqualTo(200);
                MerkleVerifier.verifyConsistency(
                        before.treeSize(),
                        after.treeSize(),
                        before.rootHash(),
                        after.rootHash(),
                        hashes(proof.json().path("hashes")));
            }

            // A sample of acks is provably included in the post-restart checkpoint.
            for (int i = 0; i < SAMPLED_INCLUSION_PROOFS; i++) {
                Ack ack = all.get(random.nextInt(all.size()));
                Http.Response proof = http.get("/v1/logs/" + LOG + "/proof/inclusion?leafIndex=" + ack.leafIndex()
                        + "&treeSize=" + after.treeSize());
                assertThat(proof.status())
                        .as(context + "inclusion proof of " + ack.leafIndex() + ": " + proof)
                        .isEqualTo(200);
                MerkleVerifier.verifyInclusion(
                        ack.leafIndex(),
                        after.treeSize(),
                        ack.leafHash(),
                        hashes(proof.json().path("hashes")),
                        after.rootHash());
            }
        }
    }

    /**
     * The tiles after recovery agree with the entries: every full level-0 tile (up to {@value
     * #MAX_TILES_CHECKED}) holds the leaf hashes, the last partial one too, level-1 holds the roots
     * of the 256-leaf subtrees, and a sample of entry bundles holds the entries.
     */
    private static void checkTiles(
            Http http, long size, byte[] leafHashes, List<Hash> level8, Random random, String context)
            throws Exception {
        long fullTiles = size / 256;
        int partialWidth = (int) (size % 256);
        String prefix = "/v1/logs/" + LOG + "/tlog/tile/";
        for (long n = 0; n < Math.min(fullTiles, MAX_TILES_CHECKED); n++) {
            Http.Response tile = http.get(prefix + "0/" + tileIndex(n));
            assertThat(tile.status())
                    .as(context + "tile 0/" + tileIndex(n) + ": " + tile)
                    .isEqualTo(200);
            assertThat(tile.body())
                    .as(context + "tile 0/" + tileIndex(n) + " = leaf hashes")
                    .isEqualTo(java.util.Arrays.copyOfRange(
                            leafHashes, (int) (n * 256 * Hash.SIZE), (int) ((n + 1) * 256 * Hash.SIZE)));
        }
        if (partialWidth > 0) {
            String path = "0/" + tileIndex(fullTiles) + ".p/" + partialWidth;
            Http.Response tile = http.get(prefix + path);
            assertThat(tile.status()).as(context + "tile " + path + ": " + tile).isEqualTo(200);
            assertThat(tile.body())
                    .as(context + "tile " + path + " = leaf hashes")
                    .isEqualTo(java.util.Arrays.copyOfRange(
                            leafHashes, (int) (fullTiles * 256 * Hash.SIZE), leafHashes.length));
        }
        if (fullTiles > 0) {
            int width = (int) Math.min(256, fullTiles);
            String path = width == 256 ? "1/000" : "1/000.p/" + width;
            Http.Response tile = http.get(prefix + path);
            assertThat(tile.status()).as(context + "tile " + path + ": " + tile).isEqualTo(200);
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            for (Hash hash : level8.subList(0, width)) {
                expected.write(hash.bytes());
            }
            assertThat(tile.body())
                    .as(context + "tile " + path + " = roots of the 256-leaf subtrees")
                    .isEqualTo(expected.toByteArray());
        }
        for (int i = 0; i < SAMPLED_BUNDLES && fullTiles > 0; i++) {
            long n = random.nextLong(fullTiles);
            Http.Response bundle = http.get(prefix + "entries/" + tileIndex(n));
            assertThat(bundle.status())
                    .as(context + "entry bundle " + n + ": " + bundle)
                    .isEqualTo(200);
            List<byte[]> entries = HttpApiIT.decodeBundle(bundle.body());
            assertThat(entries).hasSize(256);
            for (int j = 0; j < 256; j++) {
                Hash expected = Hash.of(leafHashes, (int) ((n * 256 + j) * Hash.SIZE));
                assertThat(Rfc9162.leafHash(entries.get(j)))
                        .as(context + "entry " + (n * 256 + j) + " in bundle " + n)
                        .isEqualTo(expected);
            }
        }
    }

    /** A tlog-tiles tile index: 3-digit groups, all but the last prefixed with x (1234 is x001/234). */
    static String tileIndex(long n) {
        String digits = Long.toString(n);
        int groups = Math.max(1, (digits.length() + 2) / 3);
        String padded = "0".repeat(groups * 3 - digits.length()) + digits;
        StringBuilder path = new StringBuilder();
        for (int g = 0; g < groups; g++) {
            if (g > 0) {
                path.append('/');
            }
            if (g < groups - 1) {
                path.append('x');
            }
            path.append(padded, g * 3, g * 3 + 3);
        }
        return path.toString();
    }

    static List<Hash> hashes(JsonNode array) {
        List<Hash> hashes = new ArrayList<>();
        array.forEach(node -> hashes.add(Hash.fromBase64(node.asText())));
        return hashes;
    }

    static List<byte[]> ndjsonLines(byte[] body) {
        List<byte[]> lines = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n') {
                lines.add(java.util.Arrays.copyOfRange(body, from, i));
                from = i + 1;
            }
        }
        if (from < body.length) {
            lines.add(java.util.Arrays.copyOfRange(body, from, body.length));
        }
        return lines;
    }

    /** {@value #CLIENTS} client threads appending until the server dies (bounded in count and time). */
    private static final class Load {
        private static final Duration MAX_DURATION = Duration.ofSeconds(15);

        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong batches = new AtomicLong();
        final AtomicLong failedByKill = new AtomicLong();
        final List<String> checkpoints = new CopyOnWriteArrayList<>();
        final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
        private final ServerProcess server;
        private final int round;
        private final long seed;
        private final ConcurrentSkipListMap<Long, Ack> acks;
        private final List<String> collisions;
        private final List<Thread> threads = new ArrayList<>();
        private final Map<String, Boolean> ids = new ConcurrentHashMap<>();

        Load(
                ServerProcess server,
                int round,
                long seed,
                ConcurrentSkipListMap<Long, Ack> acks,
                List<String> collisions) {
            this.server = server;
            this.round = round;
            this.seed = seed;
            this.acks = acks;
            this.collisions = collisions;
        }

        void start() {
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                Thread thread = new Thread(() -> run(client, new Random(seed + client)), "load-" + round + "-" + c);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        }

        /** Waits (at most 30 s) for the first acknowledgement, so that every round kills a server under load. */
        void awaitFirstAck() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (acknowledged.get() == 0 && unexpected.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }

        void join() throws InterruptedException {
            for (Thread thread : threads) {
                thread.join(Duration.ofSeconds(40).toMillis());
                if (thread.isAlive()) {
                    unexpected.add(thread.getName() + " still running 40 s after the kill");
                    thread.interrupt();
                }
            }
        }

        private void run(int client, Random random) {
            long deadline = System.nanoTime() + MAX_DURATION.toNanos();
            String pad = "x".repeat(EVENT_PAD);
            long lastCheckpointRead = 0;
            long lastCheckpointSize = 0;
            try (Http http = new Http(server)) {
                for (int b = 0; b < MAX_BATCHES_PER_CLIENT && System.nanoTime() < deadline && server.isAlive(); b++) {
                    int size = 1 + random.nextInt(MAX_BATCH);
                    StringBuilder body = new StringBuilder(size * (EVENT_PAD + 60));
                    List<String> batchIds = new ArrayList<>(size);
                    for (int e = 0; e < size; e++) {
                        String id = "r" + round + "-c" + client + "-b" + b + "-e" + e;
                        batchIds.add(id);
                        // keys in canonical (JCS) order, so the event appears verbatim in the entry
                        body.append("{\"data\":\"")
                                .append(pad)
                                .append("\",\"id\":\"")
                                .append(id)
                                .append("\",\"round\":")
                                .append(round)
                                .append("}\n");
                    }
                    Http.Response response;
                    try {
                        response = http.post("/v1/logs/" + LOG + "/entries", "application/x-ndjson", body.toString());
                    } catch (IOException e) {
                        if (e instanceof HttpTimeoutException && server.isAlive()) {
                            unexpected.add("append hung for " + Http.REQUEST_TIMEOUT + " while the server was alive");
                            return;
                        }
                        if (!server.isAlive()) {
                            failedByKill.incrementAndGet();
                            return;
                        }
                        // the kill races with isAlive(); give the process a moment to be reaped
                        Thread.sleep(200);
                        if (!server.isAlive()) {
                            failedByKill.incrementAndGet();
                            return;
                        }
                        unexpected.add("append failed while the server was alive: " + e);
                        return;
                    }
                    if (response.status() == 503) {
                        Thread.sleep(20);
                        continue;
                    }
                    if (response.status() != 200) {
                        unexpected.add("append of " + size + " events: " + response);
                        return;
                    }
                    JsonNode entries = response.json().path("entries");
                    if (entries.size() != size) {
                        unexpected.add(
                                "append of " + size + " events acknowledged " + entries.size() + ": " + response);
                        return;
                    }
                    for (int e = 0; e < size; e++) {
                        JsonNode entry = entries.get(e);
                        String id = batchIds.get(e);
                        Ack ack = new Ack(
                                entry.path("leafIndex").asLong(-1),
                                Hash.fromBase64(entry.path("leafHash").asText()),
                                id,
                                round);
                        if (ack.leafIndex() < 0) {
                            unexpected.add("no leafIndex in " + entry);
                            return;
                        }
                        Ack previous = acks.putIfAbsent(ack.leafIndex(), ack);
                        if (previous != null) {
                            collisions.add("leaf " + ack.leafIndex() + " acknowledged for " + previous.eventId()
                                    + " and " + id);
                        }
                        if (ids.putIfAbsent(id, Boolean.TRUE) != null) {
                            collisions.add("event id " + id + " acknowledged twice");
                        }
                    }
                    batches.incrementAndGet();
                    acknowledged.addAndGet(size);
                    if (System.nanoTime() - lastCheckpointRead > TimeUnit.MILLISECONDS.toNanos(100)) {
                        lastCheckpointRead = System.nanoTime();
                        try {
                            Http.Response checkpoint = http.get("/v1/logs/" + LOG + "/checkpoint");
                            if (checkpoint.status() == 200) {
                                long seen = Checkpoint.parse(checkpoint.text()).treeSize();
                                if (seen < lastCheckpointSize) {
                                    unexpected.add("checkpoint went back from " + lastCheckpointSize + " to " + seen);
                                }
                                lastCheckpointSize = seen;
                                checkpoints.add(checkpoint.text());
                            } else if (checkpoint.status() != 404) {
                                unexpected.add("GET checkpoint: " + checkpoint);
                            }
                        } catch (IOException e) {
                            return; // killed
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                unexpected.add(Thread.currentThread().getName() + ": " + e);
            }
        }
    }
}
