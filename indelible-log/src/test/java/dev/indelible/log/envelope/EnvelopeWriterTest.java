package dev.indelible.log.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.formats.merkle.Rfc9162;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvelopeWriterTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T05:41:17.123456789Z");
    private static final Source SOURCE = Source.http("127.0.0.1");

    private final EventParser parser = new EventParser(EventLimits.DEFAULTS);
    private final EnvelopeWriter writer = new EnvelopeWriter();

    @Test
    void leafBytesAndLeafHashMatchTheGoldenValues() {
        ParsedEvent event = parse("{\"b\":2,\"id\":\"req-1\",\"a\":\"x\"}");

        PreparedEntry entry = writer.prepare(event, RECEIVED_AT, SOURCE);

        assertThat(text(entry.leafBytes()))
                .isEqualTo(
                        "{\"event\":{\"a\":\"x\",\"b\":2,\"id\":\"req-1\"},\"receivedAt\":\"2026-11-26T05:41:17.123456Z\","
                                + "\"source\":{\"address\":\"127.0.0.1\",\"type\":\"http\"},\"v\":1}");
        // printf '\x00%s' '<the leaf above>' | sha256sum
        assertThat(Rfc9162.leafHash(entry.leafBytes()).hex())
                .isEqualTo("01a9d3faa140ae427afbe0737180250b9d2a632b37aebb4deafdd86a9495d54c");
        assertThat(entry.detachedBody()).isEmpty();
        assertThat(entry.clientId()).contains("req-1");
    }

    @Test
    void theLeafIsTheCanonicalFormOfTheWholeEnvelope() {
        for (String name : new String[] {
            "k8s-audit/falco-event-v1-create-secret-requestresponse.json",
            "k8s-audit/eventlist-kubectl-run-2-responsecomplete.json"
        }) {
            ParsedEvent event =
                    parser.parse("application/json", TestResources.bytes(name)).get(0);
            Source source = new Source("syslog-tcp", "[::1]:5514 \"quoted\\\"");
            ObjectNode envelope = NODES.objectNode();
            envelope.put("v", 1);
            envelope.put("receivedAt", "2026-11-26T05:41:17.123456Z");
            envelope.putObject("source").put("type", source.type()).put("address", source.address());
            envelope.set("event", TestResources.tree(event));

            assertThat(writer.prepare(event, RECEIVED_AT, source).leafBytes())
                    .as(name)
                    .isEqualTo(JsonCanonicalizer.canonicalize(envelope));
        }
    }

    @Test
    void aLargeEventIsDetachedAndCommittedByDigest() throws Exception {
        ParsedEvent event = parse("{\"blob\":\"" + "a".repeat(70_000) + "\",\"id\":\"big-1\"}");

        PreparedEntry entry = writer.prepare(event, RECEIVED_AT, SOURCE);

        assertThat(entry.leafBytes().length).isLessThanOrEqualTo(EnvelopeWriter.ENTRY_MAX_BYTES);
        PreparedEntry.DetachedBody body = entry.detachedBody().orElseThrow();
        assertThat(body.bytes()).isEqualTo(event.canonicalBytes());
        String digestHex =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.bytes()));
        assertThat(body.sha256().hex()).isEqualTo(digestHex);
        ObjectNode expected = NODES.objectNode();
        expected.put("v", 1);
        expected.put("eventSize", body.bytes().length);
        expected.put("eventDigest", "sha256:" + digestHex);
        expected.put("receivedAt", "2026-11-26T05:41:17.123456Z");
        expected.putObject("source").put("type", "http").put("address", "127.0.0.1");
        assertThat(entry.leafBytes()).isEqualTo(JsonCanonicalizer.canonicalize(expected));
        assertThat(text(entry.leafBytes()))
                .doesNotContain("\"event\":")
                .contains("\"eventSize\":" + body.bytes().length + ",");
        assertThat(entry.clientId()).contains("big-1");
    }

    @Test
    void theClientIdIsReadBackFromTheEntryOrItsDetachedBodyAsItWasMade() throws Exception {
        java.util.Map<dev.indelible.formats.merkle.Hash, byte[]> stored = new java.util.HashMap<>();
        EnvelopeWriter.Bodies bodies = digest -> java.util.Optional.ofNullable(stored.get(digest));
        List<String> events = List.of(
                "{\"id\":\"req-1\",\"a\":1}",
                "{\"a\":{\"id\":\"nested\"},\"z\":[{\"id\":\"in-array\"}]}",
                "{\"id\":7}",
                "{\"id\":\"quo\\\"te\\u00e9\"}",
                "{\"big\":\"" + "b".repeat(70_000) + "\",\"id\":\"big-1\"}",
                "{\"big\":\"" + "c".repeat(70_000) + "\"}");
        for (String event : events) {
            PreparedEntry entry = writer.prepare(parse(event), RECEIVED_AT, SOURCE);
            entry.detachedBody().ifPresent(body -> stored.put(body.sha256(), body.bytes()));
            assertThat(EnvelopeWriter.clientId(entry.leafBytes(), bodies))
                    .as(event.length() > 100 ? event.substring(0, 60) : event)
                    .isEqualTo(entry.clientId());
        }
        assertThat(EnvelopeWriter.clientId(
                        writer.prepare(parse(events.get(0)), RECEIVED_AT, SOURCE)
                                .leafBytes(),
                        bodies))
                .contains("req-1");
        PreparedEntry large = writer.prepare(parse(events.get(4)), RECEIVED_AT, SOURCE);
        assertThat(EnvelopeWriter.clientId(large.leafBytes(), digest -> java.util.Optional.empty()))
                .as("its body not stored here")
                .isEmpty();
    }

    @Test
    void detachedDigestNamesTheBodyOfALargeEventAndNothingElse() {
        PreparedEntry large = writer.prepare(parse("{\"blob\":\"" + "b".repeat(70_000) + "\"}"), RECEIVED_AT, SOURCE);
        PreparedEntry small =
                writer.prepare(parse("{\"eventDigest\":\"sha256:" + "a".repeat(64) + "\"}"), RECEIVED_AT, SOURCE);
        String hex = "0123456789abcdef".repeat(4);

        assertThat(EnvelopeWriter.detachedDigest(large.leafBytes()))
                .contains(large.detachedBody().orElseThrow().sha256());
        assertThat(EnvelopeWriter.detachedDigest(small.leafBytes()))
                .as("an embedded event naming a digest")
                .isEmpty();
        assertThat(EnvelopeWriter.detachedDigest(bytes("{\"eventDigest\":\"sha256:" + hex + "\"")))
                .hasValueSatisfying(digest -> assertThat(digest.hex()).isEqualTo(hex));
        assertThat(EnvelopeWriter.detachedDigest(bytes("{\"eventDigest\":\"sha256:" + hex.toUpperCase() + "\"")))
                .as("upper-case hex is not canonical")
                .isEmpty();
        assertThat(EnvelopeWriter.detachedDigest(bytes("{\"eventDigest\":\"sha256:" + hex.substring(1))))
                .as("truncated")
                .isEmpty();
        assertThat(EnvelopeWriter.detachedDigest(bytes("{\"eventDigest\":\"sha512:" + hex + "\"")))
                .isEmpty();
    }

    @Test
    void theEmbeddingLimitIsInclusiveAndTheWorstCaseLeafFits() {
        // A source of maximal canonical size: every address char needs an escape.
        Source widest = new Source("a".repeat(Source.TYPE_MAX_CHARS), "\"".repeat(Source.ADDRESS_MAX_CHARS));
        int max = EnvelopeWriter.LEAF_EVENT_MAX_BYTES;
        assertThat(max).as("the figure in docs/design/envelope.md").isEqualTo(64_954);
        ParsedEvent fits = eventOfCanonicalSize(max);
        ParsedEvent over = eventOfCanonicalSize(max + 1);

        PreparedEntry embedded = writer.prepare(fits, RECEIVED_AT, widest);
        PreparedEntry detached = writer.prepare(over, RECEIVED_AT, widest);

        assertThat(embedded.detachedBody()).isEmpty();
        assertThat(embedded.leafBytes().length).isLessThanOrEqualTo(EnvelopeWriter.ENTRY_MAX_BYTES);
        assertThat(detached.detachedBody()).isPresent();
        assertThat(new EnvelopeWriter(0)
                        .prepare(parse("{}"), RECEIVED_AT, SOURCE)
                        .detachedBody())
                .isPresent();
    }

    @ParameterizedTest
    @CsvSource({
        "1970-01-01T00:00:00Z, 1970-01-01T00:00:00.000000Z",
        "2026-11-26T05:41:17.999999999Z, 2026-11-26T05:41:17.999999Z",
        "1969-12-31T23:59:59.9999999Z, 1969-12-31T23:59:59.999999Z",
        "0000-01-01T00:00:00Z, 0000-01-01T00:00:00.000000Z",
        "9999-12-31T23:59:59.000001Z, 9999-12-31T23:59:59.000001Z",
    })
    void receivedAtIsRfc3339UtcTruncatedToMicroseconds(String instant, String expected) {
        assertThat(text(EnvelopeWriter.timestamp(Instant.parse(instant)))).isEqualTo(expected);
    }

    @Test
    void preconditionsAreChecked() {
        assertThatThrownBy(() -> EnvelopeWriter.timestamp(Instant.parse("+10000-01-01T00:00:00Z")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EnvelopeWriter(EnvelopeWriter.LEAF_EVENT_MAX_BYTES + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Source("HTTP", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Source("http", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Source("http", "a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Source("http", "é")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Source("http", "a".repeat(201))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTreeAndItsParsedFormGiveTheSameEntry() {
        ParsedEvent parsed = parse("{\"id\":\"i\",\"n\":[1,2.5]}");

        PreparedEntry fromTree = writer.prepare(TestResources.tree(parsed), RECEIVED_AT, SOURCE);

        assertThat(fromTree.leafBytes())
                .isEqualTo(writer.prepare(parsed, RECEIVED_AT, SOURCE).leafBytes());
        assertThat(fromTree.clientId()).contains("i");
    }

    @Test
    void aRequestsEventsShareOneTailAndEachIsTheCanonicalFormOfItsWholeEnvelope() {
        Source source = new Source("syslog-tcp", "[::1]:5514 \"quoted\\\"");
        List<ParsedEvent> events = List.of(
                parse("{\"id\":\"first\",\"z\":1}"),
                parse("{\"blob\":\"" + "c".repeat(70_000) + "\",\"id\":\"big\"}"),
                parse("{\"a\":[true,null]}"));

        List<PreparedEntry> entries = writer.prepareAll(events, RECEIVED_AT, source);

        assertThat(entries).hasSize(3);
        for (int i = 0; i < events.size(); i++) {
            ParsedEvent event = events.get(i);
            PreparedEntry entry = entries.get(i);
            ObjectNode envelope = NODES.objectNode();
            envelope.put("v", 1);
            envelope.put("receivedAt", "2026-11-26T05:41:17.123456Z");
            envelope.putObject("source").put("type", source.type()).put("address", source.address());
            if (entry.detachedBody().isPresent()) {
                envelope.put("eventSize", event.canonicalBytes().length);
                envelope.put(
                        "eventDigest",
                        "sha256:" + Rfc9162.sha256(event.canonicalBytes()).hex());
            } else {
                envelope.set("event", TestResources.tree(event));
            }
            assertThat(entry.leafBytes()).as("entry %d", i).isEqualTo(JsonCanonicalizer.canonicalize(envelope));
            assertThat(entry.clientId()).isEqualTo(event.clientId());
        }
        assertThat(entries.get(1).detachedBody()).isPresent();
        assertThat(entries.get(0).detachedBody()).isEmpty();
    }

    private ParsedEvent eventOfCanonicalSize(int size) {
        ParsedEvent event = parse("{\"s\":\"" + "x".repeat(size - 8) + "\"}");
        assertThat(event.canonicalBytes()).hasSize(size);
        return event;
    }

    private ParsedEvent parse(String json) {
        return parser.parse("application/json", json.getBytes(StandardCharsets.UTF_8))
                .get(0);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
