package dev.indelible.it;

import static dev.indelible.it.CrashRecoveryIT.hashes;
import static dev.indelible.it.CrashRecoveryIT.ndjsonLines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.indelible.formats.merkle.CompactRange;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.merkle.Rfc9162;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP contract against a real server process: happy paths, every error code, receipts and tiles. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HttpApiIT {
    private static final long CHECKPOINT_INTERVAL_MS = 100;
    private static final int BODY_MAX_BYTES = 4 * 1024 * 1024;
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";

    @TempDir
    Path data;

    private ServerProcess server;
    private Http http;

    @BeforeEach
    void startServer() throws Exception {
        server =
                ServerProcess.start(data, CHECKPOINT_INTERVAL_MS, "--body-max-bytes", Integer.toString(BODY_MAX_BYTES));
        http = new Http(server);
    }

    @AfterEach
    void killServer() {
        if (http != null) {
            http.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String event(String id) {
        return "{\"data\":\"payload " + id + "\",\"id\":\"" + id + "\"}";
    }

    private JsonNode append(String log, String contentType, String body) throws Exception {
        Http.Response response = http.post("/v1/logs/" + log + "/entries", contentType, body);
        assertThat(response.status()).as("append: " + response).isEqualTo(200);
        assertThat(response.contentType()).startsWith(JSON);
        return response.json();
    }

    private JsonNode info(String log) throws Exception {
        Http.Response response = http.get("/v1/logs/" + log);
        assertThat(response.status()).as("GET log " + log + ": " + response).isEqualTo(200);
        return response.json();
    }

    /**
     * A log's verifier key (named after its origin, from {@code GET /v1/logs/{log}}); it must hold
     * the public key the server printed at start.
     */
    private String verifierKey(String log) throws Exception {
        String key = info(log).path("verifierKey").asText();
        assertThat(key).startsWith("it.indelible.test/" + log + "+");
        assertThat(Checkpoint.publicKeyOf(key)).as("public key in " + key).isEqualTo(server.publicKey());
        return key;
    }

    private byte[] entry(String log, long index) throws Exception {
        Http.Response response = http.get("/v1/logs/" + log + "/entries/" + index);
        assertThat(response.status()).as("GET entry " + index + ": " + response).isEqualTo(200);
        return response.body();
    }

    @Test
    void appendsReadsAndProvesEntries() throws Exception {
        assertThat(http.get("/healthz").status()).isEqualTo(200);
        assertThat(http.get("/readyz").status()).isEqualTo(200);

        JsonNode one = append("audit", JSON, event("a0"));
        JsonNode array = append("audit", JSON, "[" + event("a1") + "," + event("a2") + "]");
        JsonNode lines = append("audit", NDJSON, event("a3") + "\n" + event("a4") + "\n" + event("a5") + "\n");
        List<JsonNode> acked = new ArrayList<>();
        one.path("entries").forEach(acked::add);
        array.path("entries").forEach(acked::add);
        lines.path("entries").forEach(acked::add);
        assertThat(acked).hasSize(6);

        CompactRange tree = new CompactRange();
        for (int i = 0; i < acked.size(); i++) {
            assertThat(acked.get(i).path("leafIndex").asLong())
                    .as("leaf indices in request order")
                    .isEqualTo(i);
            byte[] bytes = entry("audit", i);
            String text = new String(bytes, StandardCharsets.UTF_8);
            assertThat(text).as("entry %d holds the event verbatim", i).contains("\"event\":" + event("a" + i));
            Hash leafHash = Rfc9162.leafHash(bytes);
            assertThat(leafHash)
                    .as("leafHash = SHA-256(0x00 || entry)")
                    .isEqualTo(Hash.fromBase64(acked.get(i).path("leafHash").asText()));
            tree.append(leafHash, (l, n, h) -> {});
        }

        JsonNode info = info("audit");
        assertThat(info.path("name").asText()).isEqualTo("audit");
        assertThat(info.path("origin").asText()).isEqualTo("it.indelible.test/audit");
        assertThat(info.path("treeSize").asLong()).isEqualTo(6);
        assertThat(Hash.fromBase64(info.path("rootHash").asText())).isEqualTo(tree.rootHash());
        assertThat(info.path("verifierKey").asText()).startsWith("it.indelible.test/audit+");
        assertThat(info.path("dedupWindow").asInt(-1))
                .as("client ids deduplicated over this many recent ids")
                .isEqualTo(100_000);

        Http.Response range = http.get("/v1/logs/audit/entries?start=1&end=5");
        assertThat(range.status()).isEqualTo(200);
        assertThat(range.contentType()).startsWith(NDJSON);
        List<byte[]> rangeLines = ndjsonLines(range.body());
        assertThat(rangeLines).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(rangeLines.get(i)).isEqualTo(entry("audit", i + 1));
        }

        for (int i = 0; i < 6; i++) {
            Http.Response proof = http.get("/v1/logs/audit/proof/inclusion?leafIndex=" + i + "&treeSize=6");
            assertThat(proof.status()).as(proof.toString()).isEqualTo(200);
            assertThat(proof.json().path("leafIndex").asLong()).isEqualTo(i);
            assertThat(proof.json().path("treeSize").asLong()).isEqualTo(6);
            MerkleVerifier.verifyInclusion(
                    i,
                    6,
                    Rfc9162.leafHash(entry("audit", i)),
                    hashes(proof.json().path("hashes")),
                    tree.rootHash());
        }

        Checkpoint checkpoint = awaitCheckpoint("audit", 6);
        assertThat(checkpoint.origin()).isEqualTo("it.indelible.test/audit");
        assertThat(checkpoint.rootHash()).isEqualTo(tree.rootHash());
        Http.Response tlogCheckpoint = http.get("/v1/logs/audit/tlog/checkpoint");
        assertThat(tlogCheckpoint.status()).isEqualTo(200);
        Checkpoint.verified(tlogCheckpoint.text(), verifierKey("audit"));

        Http.Response receipt = http.get("/v1/logs/audit/entries/3/proof");
        assertThat(receipt.status()).as(receipt.toString()).isEqualTo(200);
        verifyTlogProof("audit", receipt.text(), 3, entry("audit", 3));
    }

    /** Polls the latest checkpoint (bounded) until it covers {@code size} leaves; verifies its signature. */
    private Checkpoint awaitCheckpoint(String log, long size) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Http.Response last = null;
        for (int attempt = 0; attempt < 200 && System.nanoTime() < deadline; attempt++) {
            last = http.get("/v1/logs/" + log + "/checkpoint");
            if (last.status() == 200) {
                Checkpoint checkpoint = Checkpoint.verified(last.text(), verifierKey(log));
                if (checkpoint.treeSize() >= size) {
                    return checkpoint;
                }
            }
            Thread.sleep(CHECKPOINT_INTERVAL_MS / 2);
        }
        throw new AssertionError("no checkpoint of size >= " + size + " within 10 s; last: " + last);
    }

    private void verifyTlogProof(String log, String text, long leafIndex, byte[] entry) throws Exception {
        TlogProof proof = TlogProof.parse(text);
        assertThat(proof.leafIndex()).isEqualTo(leafIndex);
        Checkpoint checkpoint = Checkpoint.verified(proof.checkpointNote(), verifierKey(log));
        MerkleVerifier.verifyInclusion(
                leafIndex, checkpoint.treeSize(), Rfc9162.leafHash(entry), proof.hashes(), checkpoint.rootHash());
    }

    @Test
    void waitCheckpointReturnsReceiptsThatVerifyOffline() throws Exception {
        append("receipts", JSON, event("first"));
        JsonNode response = append(
                "receipts", JSON + "; charset=utf-8", "[" + event("r1") + "," + event("r2") + "," + event("r3") + "]");
        Http.Response waited = http.post(
                "/v1/logs/receipts/entries?wait=checkpoint",
                JSON,
                "[" + event("w1") + "," + event("w2") + "," + event("w3") + "]");
        assertThat(waited.status()).as(waited.toString()).isEqualTo(200);
        assertThat(response.has("checkpoint"))
                .as("a plain append carries no receipt")
                .isFalse();
        assertThat(response.path("entries").get(0).has("inclusionProof")).isFalse();
        JsonNode body = waited.json();
        Checkpoint checkpoint = Checkpoint.verified(body.path("checkpoint").asText(), verifierKey("receipts"));
        assertThat(body.path("treeSize").asLong())
                .isEqualTo(checkpoint.treeSize())
                .isGreaterThanOrEqualTo(7);
        // our verifier rejects a changed checkpoint, a checkpoint of another log, and another key
        String note = body.path("checkpoint").asText();
        String otherRoot = Rfc9162.EMPTY_ROOT.base64();
        assertThatThrownBy(() -> Checkpoint.verified(
                        note.replace(checkpoint.rootHash().base64(), otherRoot), verifierKey("receipts")))
                .hasMessageContaining("bad signature");
        append("other", JSON, event("o"));
        assertThatThrownBy(() -> Checkpoint.verified(note, verifierKey("other")))
                .hasMessageContaining("no signature");
        for (JsonNode receipt : body.path("entries")) {
            long leafIndex = receipt.path("leafIndex").asLong();
            Hash leafHash = Hash.fromBase64(receipt.path("leafHash").asText());
            byte[] entry = entry("receipts", leafIndex);
            assertThat(Rfc9162.leafHash(entry)).isEqualTo(leafHash);
            List<Hash> inclusion = hashes(receipt.path("inclusionProof"));
            MerkleVerifier.verifyInclusion(
                    leafIndex, checkpoint.treeSize(), leafHash, inclusion, checkpoint.rootHash());
            TlogProof proof = TlogProof.parse(receipt.path("proof").asText());
            assertThat(proof.leafIndex()).isEqualTo(leafIndex);
            assertThat(proof.hashes()).isEqualTo(inclusion);
            assertThat(proof.checkpointNote()).isEqualTo(body.path("checkpoint").asText());
            verifyTlogProof("receipts", receipt.path("proof").asText(), leafIndex, entry);
            // a flipped bit in the entry does not verify
            byte[] tampered = entry.clone();
            tampered[tampered.length / 2] ^= 1;
            assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(
                    leafIndex, checkpoint.treeSize(), Rfc9162.leafHash(tampered), inclusion, checkpoint.rootHash()));
        }
    }

    @Test
    void consecutiveCheckpointsAreConsistentAndKept() throws Exception {
        List<Checkpoint> seen = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i <= round * 7; i++) {
                batch.append(event("c" + round + "-" + i)).append('\n');
            }
            Http.Response waited = http.post("/v1/logs/chain/entries?wait=checkpoint", NDJSON, batch.toString());
            assertThat(waited.status()).as(waited.toString()).isEqualTo(200);
            seen.add(Checkpoint.verified(waited.json().path("checkpoint").asText(), verifierKey("chain")));
        }
        for (int i = 1; i < seen.size(); i++) {
            Checkpoint from = seen.get(i - 1);
            Checkpoint to = seen.get(i);
            assertThat(to.treeSize()).isGreaterThan(from.treeSize());
            Http.Response proof =
                    http.get("/v1/logs/chain/proof/consistency?from=" + from.treeSize() + "&to=" + to.treeSize());
            assertThat(proof.status()).as(proof.toString()).isEqualTo(200);
            assertThat(proof.json().path("from").asLong()).isEqualTo(from.treeSize());
            assertThat(proof.json().path("to").asLong()).isEqualTo(to.treeSize());
            MerkleVerifier.verifyConsistency(
                    from.treeSize(),
                    to.treeSize(),
                    from.rootHash(),
                    to.rootHash(),
                    hashes(proof.json().path("hashes")));
        }
        for (Checkpoint checkpoint : seen) {
            Http.Response kept = http.get("/v1/logs/chain/checkpoints/" + checkpoint.treeSize());
            assertThat(kept.status()).as(kept.toString()).isEqualTo(200);
            assertThat(kept.text()).isEqualTo(checkpoint.text());
            assertThat(kept.header("Cache-Control")).contains("immutable");
        }
    }

    @Test
    void tilesHoldTheLeafHashesAndEntryBundlesTheEntries() throws Exception {
        int total = 300;
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < total; i++) {
            batch.append(event("t" + i)).append('\n');
        }
        Http.Response waited = http.post("/v1/logs/tiles/entries?wait=checkpoint", NDJSON, batch.toString());
        assertThat(waited.status()).as(waited.toString()).isEqualTo(200);
        Checkpoint checkpoint =
                Checkpoint.verified(waited.json().path("checkpoint").asText(), verifierKey("tiles"));
        assertThat(checkpoint.treeSize()).isEqualTo(total);
        List<byte[]> entries = ndjsonLines(
                http.get("/v1/logs/tiles/entries?start=0&end=" + total).body());
        assertThat(entries).hasSize(total);
        ByteArrayOutputStream leafHashes = new ByteArrayOutputStream();
        CompactRange first256 = new CompactRange();
        for (int i = 0; i < total; i++) {
            Hash leaf = Rfc9162.leafHash(entries.get(i));
            leafHashes.write(leaf.bytes());
            if (i < 256) {
                first256.append(leaf, (l, n, h) -> {});
            }
        }
        byte[] allLeafHashes = leafHashes.toByteArray();

        Http.Response full = http.get("/v1/logs/tiles/tlog/tile/0/000");
        assertThat(full.status()).as(full.toString()).isEqualTo(200);
        assertThat(full.body()).hasSize(256 * 32);
        assertThat(full.header("Cache-Control")).contains("immutable");
        assertThat(full.body()).isEqualTo(Arrays.copyOf(allLeafHashes, 256 * 32));

        Http.Response partial = http.get("/v1/logs/tiles/tlog/tile/0/001.p/44");
        assertThat(partial.status()).as(partial.toString()).isEqualTo(200);
        assertThat(partial.body()).isEqualTo(Arrays.copyOfRange(allLeafHashes, 256 * 32, total * 32));
        assertThat(partial.header("Cache-Control")).doesNotContain("immutable");

        Http.Response level1 = http.get("/v1/logs/tiles/tlog/tile/1/000.p/1");
        assertThat(level1.status()).as(level1.toString()).isEqualTo(200);
        assertThat(level1.body())
                .as("level-1 tile = root of the first 256 leaves")
                .isEqualTo(first256.rootHash().bytes());

        Http.Response bundle = http.get("/v1/logs/tiles/tlog/tile/entries/000");
        assertThat(bundle.status()).as(bundle.toString()).isEqualTo(200);
        assertThat(bundle.header("Cache-Control")).contains("immutable");
        assertThat(decodeBundle(bundle.body())).containsExactlyElementsOf(entries.subList(0, 256));
        Http.Response partialBundle = http.get("/v1/logs/tiles/tlog/tile/entries/001.p/44");
        assertThat(partialBundle.status()).as(partialBundle.toString()).isEqualTo(200);
        assertThat(decodeBundle(partialBundle.body())).containsExactlyElementsOf(entries.subList(256, total));
    }

    /** C2SP tlog-tiles entry bundle: each entry prefixed by its length as a big-endian uint16. */
    static List<byte[]> decodeBundle(byte[] bundle) {
        List<byte[]> entries = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(bundle);
        for (int i = 0; i < 256 && buffer.hasRemaining(); i++) {
            int length = Short.toUnsignedInt(buffer.getShort());
            byte[] entry = new byte[length];
            buffer.get(entry);
            entries.add(entry);
        }
        assertThat(buffer.hasRemaining()).as("bytes after 256 entries").isFalse();
        return entries;
    }

    @Test
    void aLargeEventIsCommittedByDigestAndServedBeside() throws Exception {
        append("big", JSON, event("before"));
        String prefix = "{\"data\":\"";
        String suffix = "\",\"id\":\"big\"}";
        String big = prefix + "y".repeat(70_000 - prefix.length() - suffix.length()) + suffix;
        byte[] bigBytes = big.getBytes(StandardCharsets.UTF_8);
        assertThat(bigBytes).hasSize(70_000);
        Http.Response waited = http.post("/v1/logs/big/entries?wait=checkpoint", JSON, big);
        assertThat(waited.status()).as(waited.toString()).isEqualTo(200);
        JsonNode receipt = waited.json().path("entries").get(0);
        long leafIndex = receipt.path("leafIndex").asLong();
        byte[] leaf = entry("big", leafIndex);
        assertThat(leaf.length).as("the leaf fits an entry bundle").isLessThan(65_536);
        assertThat(Rfc9162.leafHash(leaf))
                .isEqualTo(Hash.fromBase64(receipt.path("leafHash").asText()));
        String digest = HexFormat.of().formatHex(Rfc9162.sha256(bigBytes).bytes());
        assertThat(new String(leaf, StandardCharsets.UTF_8))
                .as("the leaf carries the event's SHA-256")
                .contains(digest);
        verifyTlogProof("big", receipt.path("proof").asText(), leafIndex, leaf);
        Http.Response body = http.get("/v1/logs/big/bodies/" + digest);
        assertThat(body.status())
                .as("the body is served beside the leaf: " + body.status())
                .isEqualTo(200);
        assertThat(body.body()).isEqualTo(bigBytes);
        Http.Response bundle = http.get("/v1/logs/big/tlog/tile/entries/000.p/2");
        assertThat(bundle.status()).as(bundle.toString()).isEqualTo(200);
        assertThat(decodeBundle(bundle.body()).get(1)).isEqualTo(leaf);
    }

    /** One bad request and the problem it must get. */
    record Bad(String label, String method, String path, String contentType, byte[] body, int status, String code) {
        static Bad post(String label, String log, String contentType, byte[] body, int status, String code) {
            return new Bad(label, "POST", "/v1/logs/" + log + "/entries", contentType, body, status, code);
        }

        static Bad post(String label, String log, String contentType, String body, int status, String code) {
            return post(label, log, contentType, body.getBytes(StandardCharsets.UTF_8), status, code);
        }

        static Bad get(String label, String path, int status, String code) {
            return new Bad(label, "GET", path, null, null, status, code);
        }
    }

    private static List<Bad> appendErrors(String log) {
        byte[] invalidUtf8 = "{\"a\":\"\u00ff\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        String bigEvent = "{\"data\":\"" + "z".repeat(1024 * 1024 + 10) + "\"}";
        StringBuilder hugeBody = new StringBuilder();
        while (hugeBody.length() <= BODY_MAX_BYTES + 1024) {
            hugeBody.append(event("h")).append('\n');
        }
        return List.of(
                Bad.post("truncated JSON", log, JSON, "{\"a\":", 400, "malformed-json"),
                Bad.post("garbage", log, JSON, "not json", 400, "malformed-json"),
                Bad.post("trailing garbage", log, JSON, "{\"a\":1} x", 400, "malformed-json"),
                Bad.post(
                        "bad NDJSON line",
                        log,
                        NDJSON,
                        event("n1") + "\n{\"a\":\n" + event("n3") + "\n",
                        400,
                        "malformed-json"),
                Bad.post("invalid UTF-8", log, JSON, invalidUtf8, 400, "invalid-utf8"),
                Bad.post("duplicate key", log, JSON, "{\"a\":1,\"a\":2}", 400, "duplicate-key"),
                Bad.post("nested duplicate key", log, JSON, "{\"a\":{\"b\":1,\"b\":1}}", 400, "duplicate-key"),
                Bad.post("number", log, JSON, "42", 400, "event-not-object"),
                Bad.post("string", log, JSON, "\"event\"", 400, "event-not-object"),
                Bad.post("array with a non-object", log, JSON, "[" + event("ok") + ",2]", 400, "event-not-object"),
                Bad.post("NDJSON line not an object", log, NDJSON, event("ok") + "\n[1]\n", 400, "event-not-object"),
                Bad.post("empty array", log, JSON, "[]", 400, "empty-batch"),
                Bad.post("event over 1 MiB", log, JSON, bigEvent, 413, "event-too-large"),
                Bad.post("body over the limit", log, NDJSON, hugeBody.toString(), 413, "body-too-large"),
                Bad.post("text/plain", log, "text/plain", event("t"), 415, "unsupported-media-type"),
                new Bad(
                        "PUT entries",
                        "PUT",
                        "/v1/logs/" + log + "/entries",
                        JSON,
                        event("p").getBytes(StandardCharsets.UTF_8),
                        405,
                        "method-not-allowed"),
                new Bad(
                        "PATCH entries",
                        "PATCH",
                        "/v1/logs/" + log + "/entries",
                        JSON,
                        event("p").getBytes(StandardCharsets.UTF_8),
                        405,
                        "method-not-allowed"),
                new Bad(
                        "DELETE entries",
                        "DELETE",
                        "/v1/logs/" + log + "/entries",
                        null,
                        null,
                        405,
                        "method-not-allowed"),
                new Bad(
                        "PUT entry 0",
                        "PUT",
                        "/v1/logs/" + log + "/entries/0",
                        JSON,
                        event("p").getBytes(StandardCharsets.UTF_8),
                        405,
                        "method-not-allowed"),
                new Bad(
                        "DELETE entry 0",
                        "DELETE",
                        "/v1/logs/" + log + "/entries/0",
                        null,
                        null,
                        405,
                        "method-not-allowed"));
    }

    private Http.Response send(Bad bad) throws Exception {
        return switch (bad.method()) {
            case "GET" -> http.get(bad.path());
            case "POST" -> http.post(bad.path(), bad.contentType(), bad.body());
            default -> http.method(bad.method(), bad.path(), bad.body());
        };
    }

    private void assertProblem(Bad bad, Http.Response response) {
        String label = bad.label() + " (" + bad.method() + " " + bad.path() + ") -> " + abbreviate(response.toString());
        assertThat(response.status()).as(label).isEqualTo(bad.status());
        assertThat(response.contentType()).as(label).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.path("code").asText()).as(label).isEqualTo(bad.code());
        assertThat(problem.path("status").asInt()).as(label).isEqualTo(bad.status());
        assertThat(problem.path("type").asText()).as(label).isNotEmpty();
        assertThat(problem.path("title").asText()).as(label).isNotEmpty();
        assertThat(problem.has("detail")).as(label).isTrue();
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    @Test
    void everyBadRequestGetsAProblemAndChangesNothing() throws Exception {
        append("known", NDJSON, event("k0") + "\n" + event("k1") + "\n" + event("k2") + "\n");
        awaitCheckpoint("known", 3);
        JsonNode before = info("known");
        List<String> failures = new ArrayList<>();
        int fresh = 0;
        List<Bad> cases = new ArrayList<>(appendErrors("known"));
        for (Bad bad : appendErrors("fresh-log")) {
            cases.add(new Bad(
                    bad.label() + " on a new log",
                    bad.method(),
                    bad.path().replace("fresh-log", "fresh-" + fresh++),
                    bad.contentType(),
                    bad.body(),
                    bad.status(),
                    bad.code()));
        }
        cases.addAll(List.of(
                Bad.post("upper-case log name", "Audit", JSON, event("x"), 400, "invalid-log-name"),
                Bad.post("underscore in log name", "bad_name", JSON, event("x"), 400, "invalid-log-name"),
                Bad.post("leading dash", "-audit", JSON, event("x"), 400, "invalid-log-name"),
                Bad.post("64-character name", "a".repeat(64), JSON, event("x"), 400, "invalid-log-name"),
                Bad.get("unknown log", "/v1/logs/nope", 404, "log-not-found"),
                Bad.get("unknown log entry", "/v1/logs/nope/entries/0", 404, "log-not-found"),
                Bad.get("unknown log checkpoint", "/v1/logs/nope/checkpoint", 404, "log-not-found"),
                Bad.get("unknown log proof", "/v1/logs/nope/proof/consistency?from=1&to=2", 404, "log-not-found"),
                Bad.get(
                        "leaf beyond tree",
                        "/v1/logs/known/proof/inclusion?leafIndex=3&treeSize=3",
                        400,
                        "out-of-range"),
                Bad.get(
                        "treeSize beyond tree",
                        "/v1/logs/known/proof/inclusion?leafIndex=0&treeSize=4",
                        400,
                        "out-of-range"),
                Bad.get("consistency from > to", "/v1/logs/known/proof/consistency?from=3&to=2", 400, "out-of-range"),
                Bad.get(
                        "consistency to beyond tree",
                        "/v1/logs/known/proof/consistency?from=1&to=9",
                        400,
                        "out-of-range"),
                Bad.get("range beyond tree", "/v1/logs/known/entries?start=1&end=9", 400, "out-of-range")));
        for (Bad bad : cases) {
            Http.Response response = send(bad);
            try {
                assertProblem(bad, response);
            } catch (AssertionError e) {
                failures.add(e.getMessage().replaceAll("\\s+", " "));
            }
        }
        JsonNode after = info("known");
        assertThat(after.path("treeSize").asLong())
                .as("tree size after all bad requests")
                .isEqualTo(3);
        assertThat(after.path("rootHash").asText())
                .isEqualTo(before.path("rootHash").asText());
        for (int i = 0; i < fresh; i++) {
            Http.Response created = http.get("/v1/logs/fresh-" + i);
            if (created.status() != 404) {
                failures.add("a rejected append created log fresh-" + i + ": " + created);
            }
        }
        Http.Response logs = http.get("/v1/logs");
        if (logs.status() == 200) {
            List<String> names = new ArrayList<>();
            logs.json().path("logs").forEach(log -> names.add(log.path("name").asText()));
            if (!names.equals(List.of("known"))) {
                failures.add("logs after bad requests: " + names);
            }
        }
        // the server still works after all of that
        assertThat(append("known", JSON, event("k3"))
                        .path("entries")
                        .get(0)
                        .path("leafIndex")
                        .asLong())
                .isEqualTo(3);
        assertThat(failures).as("bad requests answered wrongly").isEmpty();
    }
}
