package dev.indelible.log.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class StrictUtf8Test {
    /** The JDK's decoder, set to report rather than replace, is the oracle. */
    @Property(tries = 3000)
    void agreesWithTheJdkStrictDecoder(@ForAll("utf8ish") byte[] bytes) {
        boolean jdkValid;
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            jdkValid = true;
        } catch (CharacterCodingException e) {
            jdkValid = false;
        }
        assertThat(StrictUtf8.firstInvalidOffset(bytes) < 0).isEqualTo(jdkValid);
    }

    /**
     * Inside runs of ASCII long enough for the eight-bytes-at-a-time path, the first ill-formed
     * byte is where the JDK's decoder stops with a malformed-input result.
     */
    @Property(tries = 3000)
    void findsTheFirstIllFormedByteAmongAsciiRuns(
            @ForAll("ascii") byte[] before, @ForAll("utf8ish") byte[] middle, @ForAll("ascii") byte[] after) {
        byte[] bytes = new byte[before.length + middle.length + after.length];
        System.arraycopy(before, 0, bytes, 0, before.length);
        System.arraycopy(middle, 0, bytes, before.length, middle.length);
        System.arraycopy(after, 0, bytes, before.length + middle.length, after.length);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CoderResult result = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(in, CharBuffer.allocate(bytes.length), true);
        int want = result.isError() ? in.position() : -1;
        assertThat(StrictUtf8.firstInvalidOffset(bytes)).isEqualTo(want);
    }

    @Provide
    Arbitrary<byte[]> ascii() {
        return Arbitraries.bytes()
                .between((byte) 0, (byte) 0x7F)
                .array(byte[].class)
                .ofMaxSize(40);
    }

    /** Mostly lead and continuation bytes around the Table 3-7 boundaries, some valid text. */
    @Provide
    Arbitrary<byte[]> utf8ish() {
        Arbitrary<Byte> boundary = Arbitraries.of(
                        0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
                        0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF)
                .map(i -> (byte) (int) i);
        Arbitrary<Byte> any = Arbitraries.bytes();
        Arbitrary<byte[]> valid = Arbitraries.strings()
                .withCharRange('\u0000', '\uD7FF')
                .withChars("\ud83d\ude00€é")
                .ofMaxLength(6)
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> random = Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, boundary), net.jqwik.api.Tuple.of(1, any))
                .array(byte[].class)
                .ofMaxSize(8);
        return Arbitraries.oneOf(random, valid);
    }
}
