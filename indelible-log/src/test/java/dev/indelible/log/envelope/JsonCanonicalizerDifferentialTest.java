package dev.indelible.log.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compares {@link JsonCanonicalizer} with ECMAScript itself (Node.js's {@code JSON.stringify}
 * behind {@code envelope/jcs-reference.js}) over seeded random doubles and documents. Node runs
 * once per test with every input batched through a file. Reproduce a failure with
 * {@code -Denvelope.seed=<seed printed in the message>}.
 */
class JsonCanonicalizerDifferentialTest {
    private static final int DOUBLE_COUNT = 25_000;
    private static final int DOCUMENT_COUNT = 1_000;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] KEY_ATOMS = {
        "a",
        "b",
        "B",
        "z",
        "id",
        "0",
        "1",
        "2",
        "10",
        "9007199254740993",
        "-1",
        "é",
        "€",
        "\u007f",
        "\u0080",
        "\ufb33",
        "\uff61",
        "\ue000",
        "\ud83d\ude00",
        "\ud800\udc00",
        "\udbff\udfff",
        "\u2028",
        "\n",
        "\u0001",
        "\u001f",
        "\"",
        "\\",
        "/",
        " ",
        "__proto__"
    };

    @TempDir
    Path temp;

    @Test
    void numbersMatchEcmaScript() throws Exception {
        long seed = seed();
        SplittableRandom random = new SplittableRandom(seed);
        List<Double> values = new ArrayList<>(List.of(
                0.0,
                -0.0,
                Double.MIN_VALUE,
                -Double.MIN_VALUE,
                Double.MAX_VALUE,
                Double.MIN_NORMAL,
                Math.nextDown(Double.MIN_NORMAL),
                1e-315,
                1e21,
                Math.nextDown(1e21),
                1e-7,
                1e-6,
                Math.nextDown(1e-6),
                9007199254740992.0,
                9007199254740993.0,
                2e-323,
                1.5e-323,
                9.9e-324));
        while (values.size() < DOUBLE_COUNT) {
            values.add(randomDouble(random));
        }
        StringBuilder input = new StringBuilder();
        for (double v : values) {
            input.append(String.format("%016x%n", Double.doubleToRawLongBits(v)));
        }
        List<String> expected = runNode("numbers", input.toString());
        assertThat(expected).hasSize(values.size());
        JsonCanonicalizer canonicalizer = new JsonCanonicalizer();
        for (int i = 0; i < values.size(); i++) {
            canonicalizer.reset();
            canonicalizer.writeNumber(values.get(i));
            String actual = new String(canonicalizer.toByteArray(), StandardCharsets.UTF_8);
            assertThat(actual)
                    .as(
                            "double %s (bits %016x), seed %d",
                            values.get(i), Double.doubleToRawLongBits(values.get(i)), seed)
                    .isEqualTo(expected.get(i));
        }
    }

    @Test
    void documentsMatchEcmaScript() throws Exception {
        long seed = seed();
        SplittableRandom random = new SplittableRandom(seed);
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> documents = new ArrayList<>();
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < DOCUMENT_COUNT; i++) {
            JsonNode document = randomObject(random, 0);
            documents.add(document);
            input.append(mapper.writeValueAsString(document)).append('\n');
        }
        List<String> expected = runNode("documents", input.toString());
        assertThat(expected).hasSize(documents.size());
        for (int i = 0; i < documents.size(); i++) {
            String actual = new String(JsonCanonicalizer.canonicalize(documents.get(i)), StandardCharsets.UTF_8);
            assertThat(actual).as("document %d, seed %d", i, seed).isEqualTo(expected.get(i));
        }
    }

    private static long seed() {
        long seed = Long.getLong("envelope.seed", System.nanoTime());
        System.out.println("JsonCanonicalizerDifferentialTest seed " + seed);
        return seed;
    }

    static double randomDouble(SplittableRandom random) {
        double v = switch (random.nextInt(9)) {
            case 0 -> Double.longBitsToDouble(random.nextLong());
            case 1 -> Double.longBitsToDouble(random.nextLong() & 0x800F_FFFF_FFFF_FFFFL); // subnormal
            case 2 -> (double) ((1L << 53) + random.nextInt(-1000, 1000)) * (random.nextBoolean() ? 1 : -1);
            case 3 -> random.nextInt(-1_000_000, 1_000_000) / Math.pow(10, random.nextInt(0, 12));
            case 4 -> random.nextInt(1, 10) * Math.pow(10, random.nextInt(-30, 30));
            case 5 -> {
                double base = new double[] {1e21, 1e-6, 1e-7, 1e15, 1e16, 1e17}[random.nextInt(6)];
                double step = base;
                for (int i = random.nextInt(0, 5); i > 0; i--) {
                    step = random.nextBoolean() ? Math.nextUp(step) : Math.nextDown(step);
                }
                yield step;
            }
            case 6 -> (double) random.nextLong();
            case 7 -> random.nextDouble() * Math.pow(10, -random.nextInt(0, 320));
            default -> random.nextDouble() * Math.pow(10, random.nextInt(0, 308));
        };
        return Double.isFinite(v) ? v : random.nextDouble();
    }

    private static ObjectNode randomObject(SplittableRandom random, int depth) {
        ObjectNode object = NODES.objectNode();
        int members = random.nextInt(0, depth == 0 ? 8 : 5);
        for (int i = 0; i < members; i++) {
            object.set(randomString(random), randomValue(random, depth + 1));
        }
        return object;
    }

    private static JsonNode randomValue(SplittableRandom random, int depth) {
        int kind = random.nextInt(depth >= 4 ? 5 : 7);
        return switch (kind) {
            case 0 -> TextNode.valueOf(randomString(random));
            case 1 -> DoubleNode.valueOf(randomDouble(random));
            case 2 -> NODES.numberNode(random.nextLong(-(1L << 53), 1L << 53));
            case 3 -> BooleanNode.valueOf(random.nextBoolean());
            case 4 -> NullNode.instance;
            case 5 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(0, 4); i > 0; i--) {
                    array.add(randomValue(random, depth + 1));
                }
                yield array;
            }
            default -> randomObject(random, depth);
        };
    }

    private static String randomString(SplittableRandom random) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(0, 4); i > 0; i--) {
            s.append(
                    random.nextInt(4) == 0
                            ? (char) random.nextInt(0x20, 0xD800)
                            : KEY_ATOMS[random.nextInt(KEY_ATOMS.length)]);
        }
        return s.toString();
    }

    private List<String> runNode(String mode, String input) throws IOException, InterruptedException {
        assumeTrue(nodeOnPath(), "node (Node.js) is not on PATH: the differential test against ECMAScript is skipped");
        Path in = temp.resolve(mode + ".in");
        Path out = temp.resolve(mode + ".out");
        Files.writeString(in, input, StandardCharsets.UTF_8);
        Process node = new ProcessBuilder("node", script().toString(), mode)
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        assertThat(node.waitFor(60, TimeUnit.SECONDS))
                .as("node finished within 60 s")
                .isTrue();
        assertThat(node.exitValue()).as("node exit status").isZero();
        return splitLines(Files.readAllBytes(out));
    }

    private static List<String> splitLines(byte[] bytes) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines.add(new String(Arrays.copyOfRange(bytes, start, i), StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return lines;
    }

    private static Path script() {
        try {
            return Path.of(JsonCanonicalizerDifferentialTest.class
                    .getResource("/envelope/jcs-reference.js")
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean nodeOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "node"))) {
                return true;
            }
        }
        return false;
    }
}
