package dev.indelible.log.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class JsonCanonicalizerTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Test
    void rfc8785Section323ExampleCanonicalizesToTheRfcBytes() {
        List<ParsedEvent> events = new EventParser(EventLimits.DEFAULTS)
                .parse("application/json", TestResources.bytes("rfc8785-3.2.3-input.json"));

        assertThat(events.get(0).canonicalBytes()).isEqualTo(TestResources.bytes("rfc8785-3.2.3-expected.json"));
    }

    static Stream<Arguments> appendixB() {
        List<Arguments> rows = new ArrayList<>();
        String table = new String(TestResources.bytes("rfc8785-appendix-b-numbers.txt"), StandardCharsets.US_ASCII);
        for (String line : table.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] fields = line.split(" ");
                rows.add(Arguments.of(fields[0], fields[1]));
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("appendixB")
    void rfc8785AppendixBNumbersSerializeAsTheRfcSays(String bits, String expected) {
        double value = Double.longBitsToDouble(HexFormat.fromHexDigitsToLong(bits));
        if (expected.equals("!error")) {
            assertThatThrownBy(() -> canonical(DoubleNode.valueOf(value)))
                    .isInstanceOfSatisfying(
                            IndelibleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_JSON));
        } else {
            assertThat(canonical(DoubleNode.valueOf(value))).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1e21|1e+21", "1e-7|1e-7", "1e-6|0.000001", "-0.0|0", "1e-315|1e-315", "4.9e-324|5e-324",
                "1.0E-323|1e-323", "100|100", "1.0|1", "-1.5|-1.5", "1e20|100000000000000000000", "123e-20|1.23e-18",
                "0.1|0.1", "9007199254740993|9007199254740992", "9223372036854775807|9223372036854776000",
            })
    void numbersFollowEcmaScriptNumberToString(String input, String expected) {
        assertThat(canonical(DoubleNode.valueOf(Double.parseDouble(input)))).isEqualTo(expected);
    }

    @Test
    void everyNumericNodeIsCanonicalizedAsADouble() {
        assertThat(canonical(LongNode.valueOf(9007199254740993L))).isEqualTo("9007199254740992");
        assertThat(canonical(BigIntegerNode.valueOf(BigInteger.TEN.pow(25)))).isEqualTo("1e+25");
        assertThat(canonical(DecimalNode.valueOf(new BigDecimal("4.50")))).isEqualTo("4.5");
        assertThatThrownBy(() -> canonical(BigIntegerNode.valueOf(BigInteger.TEN.pow(400))))
                .isInstanceOfSatisfying(
                        IndelibleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_JSON));
    }

    @ParameterizedTest(name = "U+{0}")
    @CsvSource({
        "0000,\\u0000",
        "0001,\\u0001",
        "0007,\\u0007",
        "0008,\\b",
        "0009,\\t",
        "000a,\\n",
        "000b,\\u000b",
        "000c,\\f",
        "000d,\\r",
        "000e,\\u000e",
        "001f,\\u001f",
        "0022,\\\"",
        "005c,\\\\",
        "002f,/",
        "007f,\u007f",
        "00e9,é",
        "2028,\u2028",
        "20ac,€",
        "ffff,\uffff",
    })
    void stringsEscapeOnlyWhatRfc8785Requires(String codeUnit, String expectedInside) {
        String s = String.valueOf((char) Integer.parseInt(codeUnit, 16));

        assertThat(canonical(TextNode.valueOf(s))).isEqualTo("\"" + expectedInside + "\"");
    }

    @Test
    void nonBmpCharactersAreWrittenAsFourUtf8Bytes() {
        byte[] bytes = JsonCanonicalizer.canonicalize(TextNode.valueOf("\ud83d\ude00"));

        assertThat(bytes).containsExactly('"', 0xF0, 0x9F, 0x98, 0x80, '"');
    }

    @ParameterizedTest
    @CsvSource({"\ud800", "a\udc00", "\udc00\ud800", "\ud83dx"})
    void unpairedSurrogatesAreRejectedAsInvalidUtf8(String s) {
        assertThatThrownBy(() -> canonical(TextNode.valueOf(s)))
                .isInstanceOfSatisfying(
                        IndelibleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_UTF8));
        ObjectNode asKey = NODES.objectNode().put(s, 1);
        assertThatThrownBy(() -> canonical(asKey)).isInstanceOf(IndelibleException.class);
    }

    @Test
    void membersAreSortedByUtf16CodeUnitsAsInRfc8785Section323() {
        ObjectNode object = NODES.objectNode();
        object.put("\u20ac", "Euro Sign");
        object.put("\r", "Carriage Return");
        object.put("\ufb33", "Hebrew Letter Dalet With Dagesh");
        object.put("1", "One");
        object.put("\ud83d\ude00", "Emoji: Grinning Face");
        object.put("\u0080", "Control");
        object.put("\u00f6", "Latin Small Letter O With Diaeresis");

        // U+1F600 (D83D DE00) sorts before U+FB33 by UTF-16 code units, after it by code points.
        assertThat(canonical(object))
                .isEqualTo("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                        + "\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\","
                        + "\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }

    @Test
    void nestedContainersHaveNoWhitespace() {
        ObjectNode object = NODES.objectNode();
        object.putObject("b")
                .putArray("c")
                .add(1)
                .add(NODES.objectNode())
                .add(NODES.arrayNode())
                .addNull();
        object.put("a", true);

        assertThat(canonical(object)).isEqualTo("{\"a\":true,\"b\":{\"c\":[1,{},[],null]}}");
    }

    @Test
    void resetReusesTheBuffer() {
        JsonCanonicalizer canonicalizer = new JsonCanonicalizer();
        canonicalizer.write(TextNode.valueOf("x".repeat(5000)));
        canonicalizer.reset();
        canonicalizer.write(NODES.numberNode(7));

        assertThat(canonicalizer.toByteArray()).containsExactly('7');
        assertThat(canonicalizer.size()).isEqualTo(1);
    }

    @Test
    void nodesJsonCannotExpressAreABug() {
        assertThatThrownBy(() -> canonical(NODES.binaryNode(new byte[] {1})))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String canonical(JsonNode node) {
        return new String(JsonCanonicalizer.canonicalize(node), StandardCharsets.UTF_8);
    }
}
