package dev.indelible.log.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes a Jackson tree in the JSON Canonicalization Scheme, RFC 8785 (JCS), as UTF-8 bytes.
 *
 * <ul>
 *   <li>No whitespace between tokens (§3.2.1).
 *   <li>Literals {@code null}, {@code true}, {@code false} as is (§3.2.2.1).
 *   <li>Strings (§3.2.2.2): {@code "} and {@code \} escaped as {@code \"} and {@code \\}; U+0008,
 *       U+0009, U+000A, U+000C, U+000D as {@code \b \t \n \f \r}; every other control character
 *       below U+0020 as <code>&#92;u00xx</code> with lower-case hex; everything else, non-ASCII
 *       included, written raw in UTF-8. An unpaired surrogate cannot be written in UTF-8, so it is
 *       rejected.
 *   <li>Numbers (§3.2.2.3) are IEEE 754 doubles written as ECMAScript's {@code Number::toString}:
 *       the shortest decimal that reads back as the same double, in plain form when the decimal
 *       exponent is in [-6, 21), otherwise as {@code 1.5e+21} / {@code 1e-7}; {@code -0} is
 *       {@code 0}. Integers beyond 2^53 are rounded to the nearest double, as every ECMAScript
 *       reader would (I-JSON, RFC 7493 §2.2). NaN and infinities are rejected.
 *   <li>Object members sorted by their names compared as arrays of UTF-16 code units (§3.2.3),
 *       which is exactly {@link String#compareTo}.
 * </ul>
 *
 * <p>The shortest-decimal digits come from {@link Double#toString(double)}, which picks the
 * shortest, closest decimal since JDK 19 (JDK-4511638). One difference remains: when a
 * one-digit decimal round-trips, Java may still print two digits (for example {@code 4.9E-324}
 * where ECMAScript prints {@code 5e-324}); this only happens for subnormals, and {@link
 * #writeNumber} searches the one-digit candidates there.
 *
 * <p>An instance owns a growable output buffer reused between calls: it is NOT thread-safe. Use
 * one per thread or per request; {@link #canonicalize(JsonNode)} makes a fresh one.
 */
public final class JsonCanonicalizer {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    /**
     * 1 for the chars written as themselves in a string, U+0020..U+007F except {@code "} and
     * backslash; 0 for all others. Indexed by any char (64 KiB) so that a look-up needs no range
     * check; only its first 128 entries are ever hot.
     */
    private static final byte[] PLAIN = new byte[0x10000];

    static {
        for (int c = 0x20; c < 0x80; c++) {
            PLAIN[c] = (byte) (c == '"' || c == '\\' ? 0 : 1);
        }
    }

    /**
     * Integers up to 2^53 in magnitude are written exactly, digit by digit: every integer in that
     * range is a double, so no shorter decimal reads back as the same value. Beyond it ECMAScript
     * writes the shortest digits padded with zeros (2^63 is "9223372036854776000").
     */
    private static final double EXACT_INTEGER_LIMIT = 0x1p53;

    private byte[] buffer = new byte[1024];
    private int count;
    /** Scratch for {@link #writeString}: the chars of the string being written. */
    private char[] chars = new char[256];

    /** A canonicalizer with an empty 1 KiB buffer that grows as needed. */
    public JsonCanonicalizer() {}

    /**
     * The canonical UTF-8 bytes of {@code node}.
     *
     * @throws IndelibleException {@link ErrorCode#INVALID_UTF8} if a string or member name holds
     *     an unpaired surrogate; {@link ErrorCode#MALFORMED_JSON} if a number is NaN or infinite
     * @throws IllegalArgumentException if the tree holds a node JSON cannot express (binary, POJO,
     *     missing)
     */
    public static byte[] canonicalize(JsonNode node) {
        JsonCanonicalizer canonicalizer = new JsonCanonicalizer();
        canonicalizer.write(node);
        return canonicalizer.toByteArray();
    }

    /** Empties the buffer, keeping its capacity. */
    public void reset() {
        count = 0;
    }

    /** How many bytes have been written since the last {@link #reset()}. */
    public int size() {
        return count;
    }

    /** A copy of the bytes written since the last {@link #reset()}. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buffer, count);
    }

    /**
     * Appends the canonical form of {@code node} to the buffer.
     *
     * @throws IndelibleException as {@link #canonicalize(JsonNode)}
     */
    public void write(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node);
            case ARRAY -> writeArray(node);
            case STRING -> writeString(node.textValue());
            case NUMBER -> writeNumber(node.doubleValue());
            case BOOLEAN -> writeRaw(node.booleanValue() ? TRUE : FALSE);
            case NULL -> writeRaw(NULL);
            default -> throw new IllegalArgumentException("JSON cannot express a " + node.getNodeType() + " node");
        }
    }

    /** Appends bytes the caller knows to be canonical JSON (or a fragment of it). */
    void writeRaw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, count, bytes.length);
        count += bytes.length;
    }

    private void writeObject(JsonNode node) {
        int size = node.size();
        @SuppressWarnings({"unchecked", "rawtypes"}) // generic array creation
        Map.Entry<String, JsonNode>[] members = node.properties().toArray(new Map.Entry[size]);
        if (size > 1) {
            // String.compareTo compares UTF-16 code units, the order RFC 8785 §3.2.3 requires.
            Arrays.sort(members, Map.Entry.comparingByKey());
        }
        put('{');
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                put(',');
            }
            writeString(members[i].getKey());
            put(':');
            write(members[i].getValue());
        }
        put('}');
    }

    private void writeArray(JsonNode node) {
        put('[');
        int size = node.size();
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                put(',');
            }
            write(node.get(i));
        }
        put(']');
    }

    /**
     * Appends {@code s} as a JSON string per RFC 8785 §3.2.2.2, encoding UTF-16 to UTF-8 by hand so
     * that an unpaired surrogate is an error rather than a silent replacement character.
     *
     * <p>The string's chars are copied into a reused {@code char[]} (one bulk copy), then written
     * run by run: a run of printable ASCII other than {@code "} and backslash — usually the whole
     * string, member names included — is found with an unrolled table look-up and copied to the
     * buffer in bulk; escapes are written one by one; a run of non-ASCII chars is UTF-8 encoded in
     * one loop. Capacity is ensured once per string (a char is at most 3 UTF-8 bytes, a surrogate
     * pair 4 for 2 chars), and again only before a control character, whose escape can take 6
     * bytes.
     */
    void writeString(String s) {
        int length = s.length();
        ensure(3 * length + 2);
        char[] chars = chars(length);
        s.getChars(0, length, chars, 0);
        byte[] b = buffer;
        int n = count;
        b[n++] = '"';
        int i = 0;
        while (i < length) {
            int start = i;
            i = plainRunEnd(chars, i, length);
            if (i > start) {
                copyAscii(s, start, i, b, n);
                n += i - start;
                if (i == length) {
                    break;
                }
            }
            char c = chars[i];
            if (c == '"' || c == '\\') {
                b[n++] = '\\';
                b[n++] = (byte) c;
                i++;
            } else if (c < 0x20) {
                count = n;
                ensure(6 + 3 * (length - i)); // a backslash-u00xx escape is 6 bytes for one char
                b = buffer;
                n = writeControl(b, n, c);
                i++;
            } else {
                // run of non-ASCII characters
                do {
                    if (c < 0x800) {
                        b[n++] = (byte) (0xC0 | (c >> 6));
                        b[n++] = (byte) (0x80 | (c & 0x3F));
                    } else if (!Character.isSurrogate(c)) {
                        b[n++] = (byte) (0xE0 | (c >> 12));
                        b[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                        b[n++] = (byte) (0x80 | (c & 0x3F));
                    } else {
                        char low = i + 1 < length ? chars[i + 1] : 0;
                        if (!Character.isHighSurrogate(c) || !Character.isLowSurrogate(low)) {
                            throw unpairedSurrogate(c, i);
                        }
                        int cp = Character.toCodePoint(c, low);
                        i++;
                        b[n++] = (byte) (0xF0 | (cp >> 18));
                        b[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                        b[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                        b[n++] = (byte) (0x80 | (cp & 0x3F));
                    }
                } while (++i < length && (c = chars[i]) >= 0x80);
            }
        }
        b[n++] = '"';
        count = n;
    }

    /**
     * The end of the run of {@link #PLAIN} chars starting at {@code i}: four at a time while all
     * four are plain (one AND of four table entries, no branch per char), then one at a time.
     */
    private static int plainRunEnd(char[] chars, int i, int length) {
        byte[] plain = PLAIN;
        while (i + 4 <= length
                && (plain[chars[i]] & plain[chars[i + 1]] & plain[chars[i + 2]] & plain[chars[i + 3]]) != 0) {
            i += 4;
        }
        while (i < length && plain[chars[i]] != 0) {
            i++;
        }
        return i;
    }

    /**
     * Copies {@code s[from, to)}, all ASCII, into {@code b} at {@code at}. {@link
     * String#getBytes(int, int, byte[], int)} keeps the low 8 bits of each char, exactly right for
     * ASCII, and is a plain array copy for a Latin-1 string: it is deprecated only because it is
     * wrong for other chars.
     */
    @SuppressWarnings("deprecation")
    private static void copyAscii(String s, int from, int to, byte[] b, int at) {
        s.getBytes(from, to, b, at);
    }

    private static IndelibleException unpairedSurrogate(char c, int at) {
        return new IndelibleException(
                ErrorCode.INVALID_UTF8,
                String.format(
                        "string holds an unpaired surrogate U+%04X at char %d; it has no UTF-8 form"
                                + " (RFC 8785 §3.2.2.2, RFC 7493 §2.1)",
                        (int) c, at));
    }

    /** The reused char scratch array, grown to at least {@code length}. */
    private char[] chars(int length) {
        if (chars.length < length) {
            chars = new char[Math.max(length, 2 * chars.length)];
        }
        return chars;
    }

    /** Writes the escape of control character {@code c} (below U+0020) into {@code b} at {@code n}; returns the end. */
    static int writeControl(byte[] b, int n, char c) {
        b[n++] = '\\';
        switch (c) {
            case '\b' -> b[n++] = 'b';
            case '\t' -> b[n++] = 't';
            case '\n' -> b[n++] = 'n';
            case '\f' -> b[n++] = 'f';
            case '\r' -> b[n++] = 'r';
            default -> {
                b[n++] = 'u';
                b[n++] = '0';
                b[n++] = '0';
                b[n++] = HEX[c >> 4];
                b[n++] = HEX[c & 0xF];
            }
        }
        return n;
    }

    /** Appends {@code value} as ECMAScript's Number::toString would (ECMA-262 §6.1.6.1.20). */
    void writeNumber(double value) {
        if (!Double.isFinite(value)) {
            throw new IndelibleException(
                    ErrorCode.MALFORMED_JSON, "number " + value + " is not finite; RFC 8785 §3.2.2.3 forbids it");
        }
        if (value == 0) {
            put('0'); // both zeros: ECMAScript writes -0 as "0"
            return;
        }
        if (Math.abs(value) <= EXACT_INTEGER_LIMIT && value == Math.rint(value)) {
            writeLong((long) value);
            return;
        }
        if (value < 0) {
            put('-');
            value = -value;
        }
        Decimal d = Decimal.shortest(value);
        writeDecimal(d.digits, d.exponent);
    }

    /**
     * Writes the decimal 0.{@code digits} × 10^{@code n} in ECMAScript form: {@code digits} has no
     * leading or trailing zeros, k = its length.
     */
    private void writeDecimal(byte[] digits, int n) {
        int k = digits.length;
        ensure(k + 30);
        if (k <= n && n <= 21) {
            // an integer: digits then n - k zeros
            putDigits(digits, 0, k);
            for (int i = k; i < n; i++) {
                buffer[count++] = '0';
            }
        } else if (0 < n && n <= 21) {
            putDigits(digits, 0, n);
            buffer[count++] = '.';
            putDigits(digits, n, k);
        } else if (-6 < n && n <= 0) {
            buffer[count++] = '0';
            buffer[count++] = '.';
            for (int i = n; i < 0; i++) {
                buffer[count++] = '0';
            }
            putDigits(digits, 0, k);
        } else {
            buffer[count++] = digits[0];
            if (k > 1) {
                buffer[count++] = '.';
                putDigits(digits, 1, k);
            }
            buffer[count++] = 'e';
            buffer[count++] = (byte) (n - 1 < 0 ? '-' : '+');
            writeLong(Math.abs(n - 1));
        }
    }

    private void putDigits(byte[] digits, int from, int to) {
        System.arraycopy(digits, from, buffer, count, to - from);
        count += to - from;
    }

    private void writeLong(long v) {
        ensure(20);
        if (v < 0) {
            buffer[count++] = '-';
            v = -v; // callers pass |v| <= 2^53, never Long.MIN_VALUE
        }
        int digits = 1;
        for (long p = 10; digits < 19 && v >= p; p *= 10) {
            digits++;
        }
        int end = count + digits;
        for (int i = end - 1; i >= count; i--) {
            buffer[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        count = end;
    }

    private void put(char c) {
        ensure(1);
        buffer[count++] = (byte) c;
    }

    private void ensure(int extra) {
        if (count + extra > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, count + extra));
        }
    }

    /** A positive finite double as 0.{@code digits} × 10^{@code exponent}, shortest digits. */
    private record Decimal(byte[] digits, int exponent) {
        static Decimal shortest(double positive) {
            String s = Double.toString(positive); // "123.45", "1.0E-5", "1.2345E22"
            int e = s.indexOf('E');
            int mantissaEnd = e < 0 ? s.length() : e;
            int exp10 = e < 0 ? 0 : Integer.parseInt(s, e + 1, s.length(), 10);
            int dot = s.indexOf('.');
            byte[] all = new byte[mantissaEnd - 1];
            int len = 0;
            for (int i = 0; i < mantissaEnd; i++) {
                if (i != dot) {
                    all[len++] = (byte) s.charAt(i);
                }
            }
            int n = dot + exp10;
            int start = 0;
            while (all[start] == '0') {
                start++;
                n--;
            }
            int end = len;
            while (all[end - 1] == '0') {
                end--;
            }
            byte[] digits = Arrays.copyOfRange(all, start, end);
            if (digits.length == 2 && positive < Double.MIN_NORMAL) {
                return oneDigitIfRoundTrips(positive, digits, n);
            }
            return new Decimal(digits, n);
        }

        /**
         * Java prints two digits where one already round-trips (its spec allows length 1 or 2 when
         * the shortest is 1); ECMAScript wants the shortest. Only subnormals have an interval wide
         * enough for two one-digit neighbours of a two-digit decimal.
         */
        private static Decimal oneDigitIfRoundTrips(double value, byte[] twoDigits, int n) {
            int lower = twoDigits[0] - '0';
            Decimal down = new Decimal(new byte[] {(byte) ('0' + lower)}, n);
            Decimal up = lower == 9
                    ? new Decimal(new byte[] {'1'}, n + 1)
                    : new Decimal(new byte[] {(byte) ('1' + lower)}, n);
            boolean downOk = down.toDouble() == value;
            boolean upOk = up.toDouble() == value;
            if (downOk && upOk) {
                BigDecimal exact = new BigDecimal(value);
                int cmp = exact.subtract(down.toBigDecimal())
                        .compareTo(up.toBigDecimal().subtract(exact));
                if (cmp != 0) {
                    return cmp < 0 ? down : up;
                }
                return (down.digits[0] - '0') % 2 == 0 ? down : up;
            }
            if (downOk) {
                return down;
            }
            return upOk ? up : new Decimal(twoDigits, n);
        }

        private BigDecimal toBigDecimal() {
            return new BigDecimal("0." + new String(digits, StandardCharsets.US_ASCII) + "E" + exponent);
        }

        private double toDouble() {
            return Double.parseDouble("0." + new String(digits, StandardCharsets.US_ASCII) + "E" + exponent);
        }
    }
}
