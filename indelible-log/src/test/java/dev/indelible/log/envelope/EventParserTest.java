package dev.indelible.log.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventParserTest {
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";
    private static final String[] K8S_EVENTS = {
        "k8s-audit/falco-event-v1-create-secret.json",
        "k8s-audit/falco-event-v1-create-secret-requestresponse.json",
        "k8s-audit/falco-event-v1beta1-shape-exec-pod.json",
        "k8s-audit/falco-event-v1beta1-shape-create-configmap.json",
    };

    private final EventParser parser = new EventParser(EventLimits.DEFAULTS);

    @Test
    void oneObjectIsOneEvent() {
        List<ParsedEvent> events = parse(JSON, " {\"b\": 1, \"a\": [true, null]} \n");

        assertThat(events).hasSize(1);
        assertThat(text(events.get(0).canonicalBytes())).isEqualTo("{\"a\":[true,null],\"b\":1}");
    }

    @Test
    void anArrayOfObjectsIsABatchInOrder() {
        List<ParsedEvent> events = parse(JSON, "[{\"n\":1},{\"n\":2},{\"n\":3}]");

        assertThat(events)
                .extracting(e -> TestResources.tree(e).get("n").intValue())
                .containsExactly(1, 2, 3);
    }

    @Test
    void ndjsonSkipsBlankLinesAndAcceptsCrLf() {
        List<ParsedEvent> events = parse(NDJSON, "{\"n\":1}\r\n\r\n   \n{\"n\":2}\n{\"n\":3}");

        assertThat(events)
                .extracting(e -> TestResources.tree(e).get("n").intValue())
                .containsExactly(1, 2, 3);
    }

    @Test
    void realKubernetesAuditEventsParseAndCanonicalizeIdempotently() {
        ByteArrayOutputStream ndjson = new ByteArrayOutputStream();
        for (String name : K8S_EVENTS) {
            byte[] raw = TestResources.bytes(name);
            ParsedEvent event = parser.parse(JSON, raw).get(0);
            assertThat(TestResources.tree(event).get("auditID").isTextual())
                    .as(name)
                    .isTrue();
            assertThat(event.clientId()).as(name).isEmpty();
            assertThat(parser.parse(JSON, event.canonicalBytes()).get(0).canonicalBytes())
                    .as(name)
                    .isEqualTo(event.canonicalBytes());
            ndjson.writeBytes(event.canonicalBytes());
            ndjson.write('\n');
        }
        assertThat(parser.parse(NDJSON, ndjson.toByteArray())).hasSize(K8S_EVENTS.length);
        // A webhook EventList is one object, hence one event here.
        assertThat(parser.parse(JSON, TestResources.bytes("k8s-audit/DERIVED-eventlist-batch-3-items.json")))
                .hasSize(1);
        ParsedEvent withQuotedKeys = parser.parse(
                        JSON, TestResources.bytes("k8s-audit/eventlist-kubectl-run-2-responsecomplete.json"))
                .get(0);
        assertThat(text(withQuotedKeys.canonicalBytes())).contains("\\\"");
    }

    @Test
    void aTopLevelStringIdIsExposedAsTheClientIdAndTheEventIsUnchanged() {
        ParsedEvent event = parse(JSON, "{\"id\":\"req-42\",\"x\":1}").get(0);

        assertThat(event.clientId()).contains("req-42");
        assertThat(text(event.canonicalBytes())).isEqualTo("{\"id\":\"req-42\",\"x\":1}");
        assertThat(parse(JSON, "{\"id\":42}").get(0).clientId()).isEmpty();
        assertThat(parse(JSON, "{\"x\":{\"id\":\"nested\"}}").get(0).clientId()).isEqualTo(Optional.empty());
    }

    @Test
    void integersBeyond2To53AreRoundedToTheNearestDouble() {
        ParsedEvent event = parse(JSON, "{\"big\":9007199254740993,\"f\":1.0,\"small\":9007199254740992}")
                .get(0);

        assertThat(text(event.canonicalBytes()))
                .isEqualTo("{\"big\":9007199254740992,\"f\":1,\"small\":9007199254740992}");
    }

    @Test
    void contentTypeParametersAndCaseAreTolerated() {
        assertThat(parse("Application/JSON; charset=UTF-8", "{}")).hasSize(1);
        assertThat(parse("application/x-ndjson;charset=\"utf-8\"", "{}\n{}")).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/xml", "application/json; charset=latin1", ""})
    void otherMediaTypesAreUnsupported(String contentType) {
        assertRejected(contentType, "{}", ErrorCode.UNSUPPORTED_MEDIA_TYPE, "want");
    }

    @Test
    void aMissingContentTypeIsUnsupported() {
        assertRejected(null, "{}", ErrorCode.UNSUPPORTED_MEDIA_TYPE, "no content type");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"a\":1",
                "{\"a\":1} x",
                "{\"a\":1}{\"b\":2}",
                "[{\"a\":1},]",
                "{'a':1}",
                "{\"a\":NaN}",
                "{\"a\":01}",
                "{\"a\":\"tab\there\"}",
                "{\"a\":1e400}",
                "{\"a\":-1e400}",
                "[{}] []",
                "{\"a\":1,}",
            })
    void malformedJsonIsRejected(String body) {
        assertRejected(JSON, body, ErrorCode.MALFORMED_JSON, "byte offset");
    }

    @Test
    void malformedJsonMessagesNameTheEventPosition() {
        assertRejected(JSON, "[{\"a\":1},{\"b\":]", ErrorCode.MALFORMED_JSON, "event 1:");
        assertRejected(JSON, "{\"a\":1} x", ErrorCode.MALFORMED_JSON, "trailing content");
    }

    @Test
    void nestingBeyondJacksonsDepthLimitIsMalformedNotAStackOverflow() {
        String deep = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        String fine = "{\"a\":" + "[".repeat(500) + "]".repeat(500) + "}";

        assertRejected(JSON, deep, ErrorCode.MALFORMED_JSON, "event 0");
        assertThat(parse(JSON, fine)).hasSize(1);
    }

    @Test
    void ndjsonWithABadLineInTheMiddleRejectsTheWholeBatch() {
        assertRejected(NDJSON, "{\"n\":1}\n{\"n\":\n{\"n\":3}\n", ErrorCode.MALFORMED_JSON, "line 2, event 1");
        assertRejected(
                NDJSON, "{\"n\":1}\n{\"n\":2} {\"n\":3}\n", ErrorCode.MALFORMED_JSON, "line 2, event 1: trailing");
    }

    @Test
    void invalidUtf8IsRejectedWithItsOffset() {
        byte[][] bad = {
            {(byte) 0xC0, (byte) 0x80},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xE2, (byte) 0x82},
            {(byte) 0xFF},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            {(byte) 0x80}
        };
        for (byte[] sequence : bad) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes("{\"a\":\"".getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(sequence);
            body.writeBytes("\"}".getBytes(StandardCharsets.US_ASCII));
            for (String contentType : new String[] {JSON, NDJSON}) {
                assertThatThrownBy(() -> parser.parse(contentType, body.toByteArray()))
                        .isInstanceOfSatisfying(IndelibleException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_UTF8);
                            assertThat(e.getMessage()).contains("byte offset 6");
                        });
            }
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"{\"a\":\"\\ud800\"}", "{\"\\udc00\":1}", "{\"a\":[\"x\\ud83dy\"]}", "{\"a\":\"\\ude00\\ud83d\"}"
            })
    void escapedUnpairedSurrogatesAreRejectedAsInvalidUtf8(String body) {
        assertRejected(JSON, body, ErrorCode.INVALID_UTF8, "event 0");
    }

    @Test
    void anEscapedSurrogatePairIsAcceptedAndWrittenAsUtf8() {
        ParsedEvent event = parse(JSON, "{\"a\":\"\\ud83d\\ude00\"}").get(0);

        assertThat(text(event.canonicalBytes())).isEqualTo("{\"a\":\"\ud83d\ude00\"}");
    }

    @Test
    void duplicateKeysAreRejectedAtAnyDepth() {
        assertRejected(JSON, "{\"a\":1,\"a\":1}", ErrorCode.DUPLICATE_KEY, "duplicate key \"a\"");
        assertRejected(
                JSON, "[{},{\"x\":{\"y\":[{\"b\":1,\"c\":{},\"b\":null}]}}]", ErrorCode.DUPLICATE_KEY, "event 1");
        assertRejected(NDJSON, "{}\n{}\n{\"k\":{\"z\":1,\"z\":2}}", ErrorCode.DUPLICATE_KEY, "line 3, event 2");
    }

    @Test
    void escapedNamesAreTheNamesTheySpellForDuplicatesAndOrder() {
        assertRejected(JSON, "{\"a\":1,\"\\u0061\":2}", ErrorCode.DUPLICATE_KEY, "duplicate key \"a\" at /a");
        assertRejected(JSON, "{\"x\":[0,{\"b/~\":1,\"b\\/~\":2}]}", ErrorCode.DUPLICATE_KEY, "at /x/1/b~1~0");
        // U+FF61 sorts after U+1F600 by UTF-16 code units (0xFF61 > 0xD83D), before it by code points
        assertThat(text(parse(JSON, "{\"\uff61\":1,\"\\ud83d\\ude00\":2,\"\\u0041\":3}")
                        .get(0)
                        .canonicalBytes()))
                .isEqualTo("{\"A\":3,\"\ud83d\ude00\":2,\"\uff61\":1}");
        // a name and its prefix: the prefix first, whatever the byte after it ('!' is below '"')
        assertThat(text(parse(JSON, "{\"ab!\":1,\"ab\":2}").get(0).canonicalBytes()))
                .isEqualTo("{\"ab\":2,\"ab!\":1}");
    }

    @Test
    void aDuplicateInALargeObjectIsFound() {
        StringBuilder members = new StringBuilder("{");
        for (int i = 0; i < 40; i++) {
            members.append('"')
                    .append("k")
                    .append(39 - i)
                    .append("\":")
                    .append(i)
                    .append(',');
        }
        String unique = members.substring(0, members.length() - 1) + "}";
        assertThat(parse(JSON, unique)).hasSize(1);
        assertRejected(JSON, members + "\"k7\":0}", ErrorCode.DUPLICATE_KEY, "duplicate key \"k7\"");
    }

    @Test
    void stringsAndNumbersAreWrittenInTheirCanonicalSpelling() {
        ParsedEvent event = parse(
                        JSON,
                        "{\"s\":\"\\/\\u00e9\\t\\u001F\\u0022\",\"n\":[-0,1E2,1.50,123456789012345,1234567890123456789,"
                                + "-0.0,5e-324]}")
                .get(0);

        assertThat(text(event.canonicalBytes()))
                .isEqualTo(
                        "{\"n\":[0,100,1.5,123456789012345,1234567890123456800,0,5e-324],\"s\":\"/é\\t\\u001f\\\"\"}");
    }

    @Test
    void aLeadingByteOrderMarkIsSkippedAndANumberTooLongIsMalformed() {
        byte[] withBom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
        assertThat(parser.parse(JSON, withBom)).hasSize(1);
        assertRejected(JSON, "{\"n\":0." + "1".repeat(1000) + "}", ErrorCode.MALFORMED_JSON, "limit 1000");
    }

    @Test
    void aNewlineInsideAnNdjsonEventEndsItsLine() {
        assertRejected(NDJSON, "{\"a\":\n1}\n", ErrorCode.MALFORMED_JSON, "line 1, event 0: unexpected end of line");
        assertThat(parse(JSON, "{\"a\":\n1}\n")).hasSize(1);
    }

    @Test
    void theWordAtATimeScanFindsTheFirstQuoteBackslashOrControlByte() {
        byte[] alphabet = {
            'a', 'Z', '"', '\\', 0x00, 0x1F, 0x20, 0x7F, (byte) 0x80, (byte) 0xA2, (byte) 0xDC, (byte) 0xFF
        };
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = new byte[random.nextInt(41)];
            for (int i = 0; i < bytes.length; i++) {
                // mostly plain letters, so that stop bytes fall anywhere in a word, or in none
                bytes[i] = random.nextInt(6) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) 'q';
            }
            int from = random.nextInt(bytes.length + 1);
            int want = from;
            while (want < bytes.length) {
                int b = bytes[want] & 0xFF;
                if (b == '"' || b == '\\' || b < 0x20) {
                    break;
                }
                want++;
            }
            assertThat(CanonicalReader.stopIndex(bytes, from))
                    .as("%s from %d", java.util.Arrays.toString(bytes), from)
                    .isEqualTo(want);
        }
    }

    @Test
    void nonObjectEventsAreRejectedWithTheirPosition() {
        assertRejected(JSON, "[{},{},\"s\"]", ErrorCode.EVENT_NOT_OBJECT, "event 2 is a string");
        assertRejected(JSON, "42", ErrorCode.EVENT_NOT_OBJECT, "event 0 is a number");
        assertRejected(JSON, "[[{}]]", ErrorCode.EVENT_NOT_OBJECT, "event 0 is an array");
        assertRejected(NDJSON, "{}\nnull\n", ErrorCode.EVENT_NOT_OBJECT, "line 2, event 1 is null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " \r\n\t ", "[]", "[ ]"})
    void emptyBodiesAreEmptyBatches(String body) {
        assertRejected(JSON, body, ErrorCode.EMPTY_BATCH, "no events");
    }

    @Test
    void blankNdjsonIsAnEmptyBatch() {
        assertRejected(NDJSON, "\n\n  \r\n", ErrorCode.EMPTY_BATCH, "no events");
    }

    @Test
    void eventsOverTheCanonicalSizeLimitAreRejected() {
        EventParser small = new EventParser(new EventLimits(1024, 10));
        String big = "{\"s\":\"" + "x".repeat(1020) + "\"}"; // 1,028 canonical bytes
        String fits = "{\"s\":\"" + "x".repeat(1016) + "\"}"; // 1,024 canonical bytes

        assertThat(small.parse(JSON, bytes(fits))).hasSize(1);
        assertThatThrownBy(() -> small.parse(JSON, bytes("[{}," + big + "]")))
                .isInstanceOfSatisfying(IndelibleException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.EVENT_TOO_LARGE);
                    assertThat(e.getMessage()).contains("event 1 is 1028 bytes", "limit 1024");
                });
        // Whitespace does not count: the limit is on the canonical form.
        assertThat(small.parse(JSON, bytes("{\"s\" :    \"" + "x".repeat(1016) + "\"  }")))
                .hasSize(1);
    }

    @Test
    void batchesOverTheEventCountLimitAreRejected() {
        EventParser small = new EventParser(new EventLimits(1024, 3));

        assertThat(small.parse(JSON, bytes("[{},{},{}]"))).hasSize(3);
        assertRejectedBy(small, JSON, "[{},{},{},{}]", ErrorCode.BATCH_TOO_LARGE, "limit of 3 events");
        assertRejectedBy(small, NDJSON, "{}\n{}\n{}\n{}\n", ErrorCode.BATCH_TOO_LARGE, "event 3");
    }

    @Test
    void limitsAreBounded() {
        assertThat(EventLimits.DEFAULTS).isEqualTo(new EventLimits(1 << 20, 10_000));
        assertThatThrownBy(() -> new EventLimits(1023, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventLimits((16 << 20) + 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventLimits(1024, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventLimits(1024, 100_001)).isInstanceOf(IllegalArgumentException.class);
    }

    private List<ParsedEvent> parse(String contentType, String body) {
        return parser.parse(contentType, bytes(body));
    }

    private void assertRejected(String contentType, String body, ErrorCode code, String messagePart) {
        assertRejectedBy(parser, contentType, body, code, messagePart);
    }

    private static void assertRejectedBy(
            EventParser parser, String contentType, String body, ErrorCode code, String messagePart) {
        assertThatThrownBy(() -> parser.parse(contentType, bytes(body)))
                .as("%s body %s", contentType, body)
                .isInstanceOfSatisfying(IndelibleException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(messagePart);
                });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
