package dev.indelible.log.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonCanonicalizer#writeString}'s run-based fast path against a straightforward reference
 * (one code point at a time, the JDK's UTF-8 encoder), on random strings mixing printable ASCII,
 * quotes, backslashes, every control character, DEL, Latin-1, the BMP and the supplementary planes
 * (no lone surrogates: those are rejected, tested separately).
 */
class JsonCanonicalizerStringDifferentialTest {
    @Test
    void fastPathMatchesReferenceOnRandomStrings() {
        Random random = new Random(8785);
        JsonCanonicalizer canonicalizer = new JsonCanonicalizer();
        for (int round = 0; round < 100_000; round++) {
            String s = randomString(random, random.nextInt(round < 50_000 ? 40 : 2_000));
            canonicalizer.reset();
            // a random prefix so that runs start at every buffer offset, across buffer growth
            int prefix = random.nextInt(3);
            for (int k = 0; k < prefix; k++) {
                canonicalizer.writeString("p");
            }
            int before = canonicalizer.size();
            canonicalizer.writeString(s);
            byte[] all = canonicalizer.toByteArray();
            byte[] written = Arrays.copyOfRange(all, before, all.length);
            assertThat(written)
                    .as(
                            "round %d: %s",
                            round, s.codePoints().mapToObj(Integer::toHexString).toList())
                    .isEqualTo(reference(s));
        }
    }

    @Test
    void aFreshCanonicalizerHandlesOneHugeString() {
        Random random = new Random(1);
        String s = randomString(random, 300_000);
        JsonCanonicalizer canonicalizer = new JsonCanonicalizer();
        canonicalizer.writeString(s);
        assertThat(canonicalizer.toByteArray()).isEqualTo(reference(s));
    }

    @Test
    void loneSurrogatesAreRejectedWhereverTheyAre() {
        Random random = new Random(2);
        for (int round = 0; round < 2_000; round++) {
            StringBuilder b = new StringBuilder(randomString(random, random.nextInt(20)));
            char lone = switch (random.nextInt(3)) {
                case 0 -> (char) (0xD800 + random.nextInt(0x400)); // high, not followed by a low
                case 1 -> (char) (0xDC00 + random.nextInt(0x400)); // low without a high
                default -> (char) 0xDBFF;
            };
            b.insert(random.nextInt(b.length() + 1), lone);
            // every low surrogate in b belongs to a pair, so the inserted one always leaves an
            // unpaired surrogate (itself, or the half of a pair it splits)
            String s = b.toString();
            assertThatThrownBy(() -> new JsonCanonicalizer().writeString(s))
                    .isInstanceOfSatisfying(
                            IndelibleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_UTF8));
        }
    }

    private static String randomString(Random random, int codePoints) {
        StringBuilder b = new StringBuilder();
        // most strings are mostly one kind, so long runs and short runs both occur
        int bias = random.nextInt(8);
        for (int i = 0; i < codePoints; i++) {
            int kind = random.nextInt(4) == 0 ? random.nextInt(8) : bias;
            int cp = switch (kind) {
                case 0, 1 -> 0x20 + random.nextInt(0x5f); // printable ASCII incl. " and \
                case 2 -> random.nextInt(0x20); // controls
                case 3 -> "\"\\\u007f/".charAt(random.nextInt(4));
                case 4 -> 0x80 + random.nextInt(0x780); // 2-byte UTF-8
                case 5 -> randomBmpNonSurrogate(random); // 3-byte UTF-8
                case 6 -> 0x10000 + random.nextInt(0x100000); // supplementary planes, 4 bytes
                default -> random.nextInt(0x110000);
            };
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 'x';
            }
            b.appendCodePoint(cp);
        }
        return b.toString();
    }

    private static int randomBmpNonSurrogate(Random random) {
        int cp;
        do {
            cp = 0x800 + random.nextInt(0x10000 - 0x800);
        } while (cp >= 0xD800 && cp <= 0xDFFF);
        return cp;
    }

    /** RFC 8785 §3.2.2.2, one code point at a time. */
    private static byte[] reference(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('"');
        s.codePoints().forEach(cp -> {
            String piece = switch (cp) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\b' -> "\\b";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\f' -> "\\f";
                case '\r' -> "\\r";
                default -> cp < 0x20 ? String.format("\\u%04x", cp) : Character.toString(cp);
            };
            out.writeBytes(piece.getBytes(StandardCharsets.UTF_8));
        });
        out.write('"');
        return out.toByteArray();
    }
}
