package dev.indelible.log.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.indelible.log.IndelibleException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Compares {@link EventParser} (its one-pass {@link CanonicalReader}) with a reference built from
 * other parts: Jackson's {@code readTree} with strict duplicate detection, then {@link
 * JsonCanonicalizer} on the tree (itself checked against ECMAScript by {@link
 * JsonCanonicalizerDifferentialTest}). Random events are written as text with random whitespace,
 * escapes, number spellings and member orders; then the same events with one byte changed, where
 * both must agree on accepting, and on the bytes when they accept. Reproduce a failure with {@code
 * -Denvelope.seed=<seed in the message>}.
 */
class CanonicalReaderDifferentialTest {
    private static final int EVENTS = 4_000;
    private static final int MUTATIONS_PER_EVENT = 3;
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final String[] NAMES = {
        "a",
        "b",
        "B",
        "id",
        "0",
        "10",
        "é",
        "€",
        "\u007f",
        "\uff61",
        "\ue000",
        "\ud83d\ude00",
        "\ud800\udc00",
        "\n",
        "\u0001",
        "\"",
        "\\",
        "/",
        " ",
        "aa",
        "a b",
        "~",
        "ab!",
        "ab",
        // longer than the reader's byte-by-byte comparison (16 bytes), sharing long prefixes
        "requestReceivedTimestamp",
        "requestReceivedTimestampMicro",
        "requestReceivedTimestamq",
        "requestReceived"
    };
    private static final String[] STRING_ATOMS = {
        "x",
        "hello",
        "é",
        "€",
        "\ud83d\ude00",
        "\"",
        "\\",
        "/",
        "\n",
        "\t",
        "\u0000",
        "\u001f",
        "\u007f",
        "\u2028",
        "\ufeff",
        "\uffff",
        " ",
        "<>&",
        "'"
    };
    private static final String[] NUMBERS = {
        "0",
        "-0",
        "1",
        "-1",
        "42",
        "123456789012345",
        "1234567890123456",
        "9007199254740993",
        "-9007199254740993",
        "18446744073709551616",
        "1.0",
        "1.5",
        "-0.0",
        "0.1",
        "1e2",
        "1E2",
        "1e+2",
        "1e-2",
        "-1.25e-7",
        "1e21",
        "1e20",
        "123e-20",
        "5e-324",
        "4.9e-324",
        "1.7976931348623157e308",
        "0.30000000000000004",
        "100",
        "0e0",
        "2.5E+3"
    };

    private final EventParser parser = new EventParser(EventLimits.DEFAULTS);

    @Test
    void randomEventsCanonicalizeAsTheTreeReferenceDoes() {
        long seed = seed();
        SplittableRandom random = new SplittableRandom(seed);
        int accepted = 0;
        int rejected = 0;
        int mutatedAccepted = 0;
        for (int n = 0; n < EVENTS; n++) {
            StringBuilder text = new StringBuilder();
            writeObject(text, random, 0);
            byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
            Outcome reference = reference(body);
            Outcome ours = ours(body);
            assertThat(ours).as("event %s, seed %d", text, seed).isEqualTo(reference);
            if (reference.accepted()) {
                accepted++;
            } else {
                rejected++;
            }
            for (int m = 0; m < MUTATIONS_PER_EVENT; m++) {
                byte[] mutated = mutate(body, random);
                if (StrictUtf8.firstInvalidOffset(mutated) >= 0 || startsAnArray(mutated)) {
                    continue; // refused before parsing; or a batch, not one event
                }
                Outcome mutatedReference = reference(mutated);
                assertThat(ours(mutated))
                        .as("mutated event %s, seed %d", new String(mutated, StandardCharsets.UTF_8), seed)
                        .isEqualTo(mutatedReference);
                if (mutatedReference.accepted()) {
                    mutatedAccepted++;
                }
            }
        }
        // the generator must reach both sides, or the comparison proves little
        assertThat(accepted).as("accepted events").isGreaterThan(EVENTS / 2);
        assertThat(rejected)
                .as("rejected events (unpaired surrogates, duplicates)")
                .isPositive();
        assertThat(mutatedAccepted).as("accepted mutations").isPositive();
    }

    @Test
    void deeplyNestedObjectsOutOfOrderAreReorderedAtEveryLevel() {
        StringBuilder text = new StringBuilder();
        int depth = 300;
        for (int i = 0; i < depth; i++) {
            text.append(i % 3 == 0 ? "{\"z\":[1,{\"y\":2,\"x\":3}],\"b\":" : i % 3 == 1 ? "{\"b\":" : "{\"c\":[");
        }
        text.append("{\"q\":\"deepest\",\"p\":null}");
        for (int i = depth - 1; i >= 0; i--) {
            text.append(i % 3 == 0 ? ",\"a\":0}" : i % 3 == 1 ? ",\"a\":\"\\u0041\"}" : "],\"a\":[]}");
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);

        Outcome reference = reference(body);
        assertThat(reference.accepted()).isTrue();
        assertThat(ours(body)).isEqualTo(reference);
    }

    /** Accepted with these canonical bytes, or rejected. */
    private record Outcome(boolean accepted, String canonical) {
        static Outcome of(byte[] canonical) {
            return new Outcome(true, new String(canonical, StandardCharsets.UTF_8));
        }

        static final Outcome REJECTED = new Outcome(false, "");
    }

    private Outcome ours(byte[] body) {
        try {
            List<ParsedEvent> events = parser.parse(EventParser.JSON, body);
            assertThat(events).hasSize(1);
            return Outcome.of(events.get(0).canonicalBytes());
        } catch (IndelibleException e) {
            return Outcome.REJECTED;
        }
    }

    private static Outcome reference(byte[] body) {
        try {
            JsonNode tree = STRICT.readTree(body);
            if (tree == null || !tree.isObject()) {
                return Outcome.REJECTED;
            }
            return Outcome.of(JsonCanonicalizer.canonicalize(tree));
        } catch (IndelibleException | IOException e) {
            return Outcome.REJECTED;
        }
    }

    private static boolean startsAnArray(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return b == '[';
            }
        }
        return false;
    }

    private static byte[] mutate(byte[] body, SplittableRandom random) {
        byte[] pool = "{}[],:\" \\u0aE.-+9tfn/".getBytes(StandardCharsets.US_ASCII);
        int at = random.nextInt(body.length);
        byte b = pool[random.nextInt(pool.length)];
        return switch (random.nextInt(3)) {
            case 0 -> { // replace
                byte[] copy = body.clone();
                copy[at] = b;
                yield copy;
            }
            case 1 -> { // delete
                byte[] copy = new byte[body.length - 1];
                System.arraycopy(body, 0, copy, 0, at);
                System.arraycopy(body, at + 1, copy, at, body.length - at - 1);
                yield copy;
            }
            default -> { // insert
                byte[] copy = new byte[body.length + 1];
                System.arraycopy(body, 0, copy, 0, at);
                copy[at] = b;
                System.arraycopy(body, at, copy, at + 1, body.length - at);
                yield copy;
            }
        };
    }

    private static void writeObject(StringBuilder out, SplittableRandom random, int depth) {
        out.append('{');
        space(out, random);
        int members = random.nextInt(depth == 0 ? 1 : 0, random.nextInt(10) == 0 ? 40 : 6);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            String name = random.nextInt(40) == 0 && !names.isEmpty()
                    ? names.get(random.nextInt(names.size())) // a duplicate, perhaps spelled differently
                    // in large objects always numbered: repeats of the few plain names would make
                    // nearly every one a duplicate, and their sorting would go untested
                    : NAMES[random.nextInt(NAMES.length)]
                            + (members <= 16 && random.nextBoolean() ? "" : Integer.toString(i));
            names.add(name);
            if (i > 0) {
                out.append(',');
                space(out, random);
            }
            writeString(out, name, random);
            space(out, random);
            out.append(':');
            space(out, random);
            writeValue(out, random, depth + 1);
            space(out, random);
        }
        out.append('}');
    }

    private static void writeValue(StringBuilder out, SplittableRandom random, int depth) {
        int kind = random.nextInt(depth > 4 ? 5 : 7);
        switch (kind) {
            case 0 -> out.append(random.nextBoolean() ? "true" : "false");
            case 1 -> out.append("null");
            case 2 -> out.append(random.nextBoolean() ? NUMBERS[random.nextInt(NUMBERS.length)] : randomNumber(random));
            case 3, 4 -> {
                StringBuilder s = new StringBuilder();
                int atoms = random.nextInt(6);
                for (int i = 0; i < atoms; i++) {
                    s.append(STRING_ATOMS[random.nextInt(STRING_ATOMS.length)]);
                }
                if (random.nextInt(30) == 0) {
                    s.append(random.nextBoolean() ? '\ud800' : '\udc00'); // unpaired: must be refused
                }
                writeString(out, s.toString(), random);
            }
            case 5 -> writeObject(out, random, depth);
            default -> {
                out.append('[');
                space(out, random);
                int items = random.nextInt(4);
                for (int i = 0; i < items; i++) {
                    if (i > 0) {
                        out.append(',');
                        space(out, random);
                    }
                    writeValue(out, random, depth + 1);
                    space(out, random);
                }
                out.append(']');
            }
        }
    }

    private static String randomNumber(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> Long.toString(random.nextLong());
            case 1 -> Integer.toString(random.nextInt());
            case 2 ->
                Double.toString(Double.longBitsToDouble(random.nextLong()))
                        .replace("Infinity", "1e999")
                        .replace("NaN", "0");
            default ->
                (random.nextBoolean() ? "-" : "") + random.nextInt(1000) + "." + random.nextInt(1000) + "e"
                        + (random.nextInt(700) - 350);
        };
    }

    /** {@code s} as a JSON string, each char written raw or escaped at random where JSON allows. */
    private static void writeString(StringBuilder out, String s, SplittableRandom random) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                // a pair: both halves escaped, or both raw (one raw half has no UTF-8 form)
                if (random.nextBoolean()) {
                    out.append(String.format("\\u%04x\\u%04X", (int) c, (int) s.charAt(i + 1)));
                } else {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
                continue;
            }
            boolean mustEscape = c == '"' || c == '\\' || c < 0x20 || Character.isSurrogate(c);
            if (mustEscape || random.nextInt(8) == 0) {
                switch (random.nextInt(c == '"' || c == '\\' || c == '/' || c == '\n' || c == '\t' ? 2 : 1)) {
                    case 0 -> out.append(String.format(random.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) c));
                    default -> out.append('\\').append(c == '\n' ? 'n' : c == '\t' ? 't' : c);
                }
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    private static void space(StringBuilder out, SplittableRandom random) {
        if (random.nextInt(4) == 0) {
            String[] spaces = {" ", "\t", "\n", "\r\n", "  "};
            out.append(spaces[random.nextInt(spaces.length)]);
        }
    }

    private static long seed() {
        String fixed = System.getProperty("envelope.seed");
        return fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    }
}
