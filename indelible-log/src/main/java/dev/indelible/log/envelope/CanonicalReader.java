package dev.indelible.log.envelope;

import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads JSON values from a request body's UTF-8 bytes and writes each one's RFC 8785 canonical
 * form in the same pass, without building a tree: the ingestion path's parser (see {@link
 * EventParser}, which says what is accepted and with which error codes).
 *
 * <p>The canonical form is the one {@link JsonCanonicalizer} writes for the same value (a test
 * compares the two over random documents). Most of an event's bytes are already canonical in the
 * body, and are copied as they are:
 *
 * <ul>
 *   <li>a string without a backslash: its bytes, quotes included (the body is well-formed UTF-8,
 *       checked before, and a raw control character is refused); a string with escapes is written
 *       char by char from its decoded chars, as {@link JsonCanonicalizer#writeString} would;
 *   <li>an integer of at most 15 digits without fraction or exponent: its digits ({@code -0} is
 *       {@code 0}); any other number is read with {@link Double#parseDouble} and written by {@link
 *       JsonCanonicalizer#writeNumber};
 *   <li>an object's members are written in body order; if they are not in UTF-16 name order, the
 *       object is noted with its members' order, and {@link #toByteArray} writes it reordered (so
 *       each byte is copied once however deep the objects nest).
 * </ul>
 *
 * <p>Within an object a repeated member name (compared after unescaping, so {@code "a"} and
 * <code>"&#92;u0061"</code> are the same) is a {@link DuplicateKey}, found as soon as its value has
 * been read. Nesting deeper than {@value #MAX_DEPTH} levels and numbers longer than {@value
 * #MAX_NUMBER_CHARS} characters are refused, as Jackson's default stream constraints did before.
 *
 * <p>In line mode (NDJSON) a newline ends the value being read: {@link #skipWhitespace} reports it as
 * {@link #NEWLINE} instead of skipping it, and inside a value it is an unexpected end of line.
 *
 * <p>Not thread-safe: one instance per body. Errors are {@link IndelibleException}s with code {@link
 * ErrorCode#MALFORMED_JSON} or {@link ErrorCode#INVALID_UTF8} (an escaped unpaired surrogate) whose
 * message ends with the absolute byte offset in the body, or a {@link DuplicateKey}.
 */
final class CanonicalReader {
    /** Deepest nesting of objects and arrays accepted; an event object is depth 1. */
    static final int MAX_DEPTH = 1000;
    /** Longest number token accepted, in characters. */
    static final int MAX_NUMBER_CHARS = 1000;
    /** What {@link #skipWhitespace} returns at the end of the body. */
    static final int END = -1;
    /** What {@link #skipWhitespace} returns at a newline in line mode. */
    static final int NEWLINE = -2;

    /** Integers of at most this many digits are below 2^53, hence written as they are. */
    private static final int PLAIN_INTEGER_DIGITS_MAX = 15;
    /** Members scanned one by one for a repeated name; larger objects use a hash set. */
    private static final int LINEAR_DUPLICATE_SCAN_MAX = 16;
    /** Objects of up to this many members are sorted by insertion; larger ones by merge sort. */
    private static final int INSERTION_SORT_MAX = 24;
    /** Simple names up to this many bytes are compared byte by byte; longer ones vectorized. */
    private static final int SHORT_NAME_MAX = 16;

    private static final int NAME_IN_MESSAGE_MAX_CHARS = 64;
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    /** True for the bytes that end a plain run in a string: quote, backslash, control characters. */
    private static final boolean[] STRING_STOP = new boolean[256];
    /** Reads eight bytes of an array at once, the first in the low bits. */
    static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** 0x01 in every byte of a word, and the same for other values. */
    private static final long ONES = 0x0101010101010101L;

    static final long HIGHS = 0x8080808080808080L;
    private static final long SPACES = 0x2020202020202020L;
    private static final long QUOTES = 0x2222222222222222L;
    private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;
    /** Per member of the objects being read: name start, name end, member end, flags. */
    private static final int MEMBER_INTS = 4;
    /** Flag: the name's canonical bytes are printable ASCII without a backslash. */
    private static final int SIMPLE_NAME = 1;

    static {
        for (int c = 0; c < 0x20; c++) {
            STRING_STOP[c] = true;
        }
        STRING_STOP['"'] = true;
        STRING_STOP['\\'] = true;
    }

    private final byte[] in;
    private final boolean lineMode;
    private int pos;

    private byte[] out = new byte[1024];
    private int count;
    /** The members of every object being read, innermost last; {@link #MEMBER_INTS} ints each. */
    private int[] members = new int[16 * MEMBER_INTS];

    private int top;
    /** The top-level string member "id" of the event read last, or null. */
    private String clientId;

    /** Formats the numbers that are not copied as they are; made on first use. */
    private JsonCanonicalizer numbers;
    /**
     * The objects read so far whose members are not in canonical order, or that hold such an
     * object, outermost last: {@link #toByteArray} writes them reordered. An object being read has
     * those inside it at the end of the list, and takes them when it ends.
     */
    private final List<Reordered> reordered = new ArrayList<>();

    /**
     * A reader of {@code body} from its first byte, skipping a UTF-8 byte order mark there.
     *
     * @param lineMode whether a newline ends a value (NDJSON) rather than being whitespace
     */
    CanonicalReader(byte[] body, boolean lineMode) {
        this.in = body;
        this.lineMode = lineMode;
        if (body.length >= BOM.length && Arrays.equals(body, 0, BOM.length, BOM, 0, BOM.length)) {
            pos = BOM.length;
        }
    }

    /** The offset of the next byte to read. */
    int position() {
        return pos;
    }

    /** Steps over the byte {@link #skipWhitespace} returned (a structural character or newline). */
    void advance() {
        pos++;
    }

    /**
     * Skips JSON whitespace; returns the next byte (0..255) without consuming it, {@link #END} at
     * the end of the body, or in line mode {@link #NEWLINE} at a newline.
     */
    int skipWhitespace() {
        byte[] b = in;
        int i = pos;
        while (i < b.length) {
            int c = b[i];
            if (c == ' ' || c == '\t' || c == '\r') {
                i++;
            } else if (c == '\n') {
                if (lineMode) {
                    pos = i;
                    return NEWLINE;
                }
                i++;
            } else {
                pos = i;
                return c & 0xFF;
            }
        }
        pos = i;
        return END;
    }

    /**
     * Whether the value at the current position is the literal {@code true}, {@code false} or
     * {@code null} spelled out in full (for describing a non-object event).
     */
    boolean atLiteral() {
        int c = pos < in.length ? in[pos] : END;
        byte[] literal = c == 't' ? TRUE : c == 'f' ? FALSE : c == 'n' ? NULL : null;
        return literal != null
                && pos + literal.length <= in.length
                && Arrays.equals(in, pos, pos + literal.length, literal, 0, literal.length);
    }

    /**
     * Reads the object at the current position (its first byte must be <code>{</code>) into a
     * fresh canonical form: {@link #size()}, {@link #toByteArray()}, {@link #clientId()}.
     */
    void readEvent() {
        count = 0;
        top = 0;
        clientId = null;
        reordered.clear();
        readObject(1);
    }

    /** Bytes in the canonical form of the event read last. */
    int size() {
        return count;
    }

    /** A copy of the canonical form of the event read last. */
    byte[] toByteArray() {
        if (reordered.isEmpty()) {
            return Arrays.copyOf(out, count);
        }
        byte[] canonical = new byte[count];
        int end = emit(canonical, 0, 0, count, reordered);
        if (end != count) {
            throw new IllegalStateException("the reordered event takes " + end + " bytes, not " + count);
        }
        return canonical;
    }

    /** The event's top-level string member {@code "id"}, or null if it has none. */
    String clientId() {
        return clientId;
    }

    /** A syntax error at {@code offset}: {@code what}, then the offset. */
    IndelibleException malformed(String what, int offset) {
        return new IndelibleException(ErrorCode.MALFORMED_JSON, what + " at byte offset " + offset);
    }

    /** The error for byte {@code c} (or {@link #END}, {@link #NEWLINE}) at the current position. */
    IndelibleException unexpected(int c, String want) {
        String found = switch (c) {
            case END -> "unexpected end of input";
            case NEWLINE -> "unexpected end of line";
            default ->
                c >= 0x21 && c < 0x7F
                        ? "unexpected character '" + (char) c + "'"
                        : String.format("unexpected byte 0x%02X", c);
        };
        return malformed(found + ", want " + want, pos);
    }

    private void readValue(int c, int depth) {
        switch (c) {
            case '{' -> readObject(depth + 1);
            case '[' -> readArray(depth + 1);
            case '"' -> readString();
            case 't' -> readLiteral(TRUE);
            case 'f' -> readLiteral(FALSE);
            case 'n' -> readLiteral(NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    readNumber();
                } else {
                    throw unexpected(c, "a value");
                }
            }
        }
    }

    private void readObject(int depth) {
        if (depth > MAX_DEPTH) {
            throw malformed("nesting deeper than " + MAX_DEPTH + " levels", pos);
        }
        pos++; // the opening brace
        int open = count;
        put('{');
        int base = top;
        int childBase = reordered.size();
        int c = skipWhitespace();
        if (c == '}') {
            pos++;
            put('}');
            return;
        }
        boolean sorted = true;
        Set<ByteBuffer> names = null;
        while (true) {
            if (c != '"') {
                throw unexpected(c, "a member name");
            }
            if (top > base) {
                put(',');
            }
            int nameStart = count;
            readString();
            int nameEnd = count;
            int flags = isSimple(nameStart, nameEnd) ? SIMPLE_NAME : 0;
            c = skipWhitespace();
            if (c != ':') {
                throw unexpected(c, "':'");
            }
            pos++;
            put(':');
            c = skipWhitespace();
            int valueFirst = c;
            try {
                readValue(c, depth);
            } catch (DuplicateKey e) {
                e.path.addFirst(decodeString(nameStart, nameEnd));
                throw e;
            }
            int memberEnd = count;
            int memberCount = (top - base) / MEMBER_INTS;
            if (memberCount < LINEAR_DUPLICATE_SCAN_MAX) {
                for (int m = base; m < top; m += MEMBER_INTS) {
                    if (Arrays.equals(out, members[m], members[m + 1], out, nameStart, nameEnd)) {
                        throw duplicate(nameStart, nameEnd);
                    }
                }
            } else {
                if (names == null) {
                    names = new HashSet<>();
                    for (int m = base; m < top; m += MEMBER_INTS) {
                        names.add(ByteBuffer.wrap(Arrays.copyOfRange(out, members[m], members[m + 1])));
                    }
                }
                if (!names.add(ByteBuffer.wrap(Arrays.copyOfRange(out, nameStart, nameEnd)))) {
                    throw duplicate(nameStart, nameEnd);
                }
            }
            if (depth == 1 && valueFirst == '"' && isId(nameStart, nameEnd)) {
                clientId = decodeString(nameEnd + 1, memberEnd);
            }
            if (sorted && top > base && compareNames(top - MEMBER_INTS, nameStart, nameEnd, flags) > 0) {
                sorted = false;
            }
            push(nameStart, nameEnd, memberEnd, flags);
            c = skipWhitespace();
            if (c == ',') {
                pos++;
                c = skipWhitespace();
            } else if (c == '}') {
                pos++;
                break;
            } else {
                throw unexpected(c, "',' or '}'");
            }
        }
        put('}');
        if (!sorted || reordered.size() > childBase) {
            List<Reordered> inside = reordered.subList(childBase, reordered.size());
            Reordered object = new Reordered(open, count, sorted ? null : memberOrder(base), List.copyOf(inside));
            inside.clear();
            reordered.add(object);
        }
        top = base;
    }

    /** Whether the canonical string at {@code out[start, end)} is printable ASCII without escapes. */
    private boolean isSimple(int start, int end) {
        for (int i = start + 1; i < end - 1; i++) {
            if (out[i] < 0 || out[i] == '\\') {
                return false;
            }
        }
        return true;
    }

    private boolean isId(int nameStart, int nameEnd) {
        return nameEnd - nameStart == 4 && out[nameStart + 1] == 'i' && out[nameStart + 2] == 'd';
    }

    private DuplicateKey duplicate(int nameStart, int nameEnd) {
        String name = decodeString(nameStart, nameEnd);
        DuplicateKey e = new DuplicateKey(
                name.length() <= NAME_IN_MESSAGE_MAX_CHARS ? name : name.substring(0, NAME_IN_MESSAGE_MAX_CHARS) + "…");
        e.path.addFirst(name);
        return e;
    }

    private void push(int nameStart, int nameEnd, int memberEnd, int flags) {
        if (top + MEMBER_INTS > members.length) {
            members = Arrays.copyOf(members, 2 * members.length);
        }
        members[top] = nameStart;
        members[top + 1] = nameEnd;
        members[top + 2] = memberEnd;
        members[top + 3] = flags;
        top += MEMBER_INTS;
    }

    /**
     * Compares the name of the member at {@code m} with the name at {@code [start, end)}, both
     * canonical strings in {@link #out}, as RFC 8785 §3.2.3 orders them: by UTF-16 code units.
     */
    private int compareNames(int m, int start, int end, int flags) {
        if ((members[m + 3] & flags & SIMPLE_NAME) != 0) {
            // printable ASCII without escapes: byte order is code unit order (quotes left out, so
            // that a prefix sorts first)
            int a = members[m] + 1;
            int aLength = members[m + 1] - 1 - a;
            int b = start + 1;
            int bLength = end - 1 - b;
            if (aLength > SHORT_NAME_MAX || bLength > SHORT_NAME_MAX) {
                return Arrays.compareUnsigned(out, a, a + aLength, out, b, b + bLength);
            }
            // most names are a few bytes: a plain loop beats the vectorized mismatch's set-up
            int common = Math.min(aLength, bLength);
            for (int i = 0; i < common; i++) {
                int d = (out[a + i] & 0xff) - (out[b + i] & 0xff);
                if (d != 0) {
                    return d;
                }
            }
            return aLength - bLength;
        }
        return decodeString(members[m], members[m + 1]).compareTo(decodeString(start, end));
    }

    /** The members from {@code base} on, as {@code [start, end)} pairs in {@link #out}, in name order. */
    private int[] memberOrder(int base) {
        int n = (top - base) / MEMBER_INTS;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = base + i * MEMBER_INTS;
        }
        if (n <= INSERTION_SORT_MAX) {
            // an event's objects have a handful of members: insertion sort, no boxing (names are
            // distinct: duplicates were refused as they were read)
            for (int i = 1; i < n; i++) {
                int m = order[i];
                int j = i - 1;
                while (j >= 0 && compareNames(order[j], members[m], members[m + 1], members[m + 3]) > 0) {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = m;
            }
        } else {
            order = Arrays.stream(order)
                    .boxed()
                    .sorted((a, b) -> compareNames(a, members[b], members[b + 1], members[b + 3]))
                    .mapToInt(Integer::intValue)
                    .toArray();
        }
        int[] ranges = new int[2 * n];
        for (int i = 0; i < n; i++) {
            ranges[2 * i] = members[order[i]];
            ranges[2 * i + 1] = members[order[i] + 2];
        }
        return ranges;
    }

    /**
     * Copies {@code out[from, to)} to {@code dst} at {@code at}, writing each object of {@code
     * objects} (in body order) that lies inside it in its canonical member order; returns the end
     * in {@code dst}.
     */
    private int emit(byte[] dst, int at, int from, int to, List<Reordered> objects) {
        int i = firstAtOrAfter(objects, from);
        int cursor = from;
        for (; i < objects.size() && objects.get(i).start() < to; i++) {
            Reordered object = objects.get(i);
            System.arraycopy(out, cursor, dst, at, object.start() - cursor);
            at += object.start() - cursor;
            at = emit(dst, at, object);
            cursor = object.end();
        }
        System.arraycopy(out, cursor, dst, at, to - cursor);
        return at + to - cursor;
    }

    private int emit(byte[] dst, int at, Reordered object) {
        if (object.members() == null) {
            return emit(dst, at, object.start(), object.end(), object.inside());
        }
        dst[at++] = '{';
        int[] members = object.members();
        for (int k = 0; k < members.length; k += 2) {
            if (k > 0) {
                dst[at++] = ',';
            }
            at = emit(dst, at, members[k], members[k + 1], object.inside());
        }
        dst[at++] = '}';
        return at;
    }

    /** The index of the first of {@code objects} (in body order) that starts at or after {@code offset}. */
    private static int firstAtOrAfter(List<Reordered> objects, int offset) {
        int low = 0;
        int high = objects.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (objects.get(mid).start() < offset) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private void readArray(int depth) {
        if (depth > MAX_DEPTH) {
            throw malformed("nesting deeper than " + MAX_DEPTH + " levels", pos);
        }
        pos++; // the opening bracket
        put('[');
        int c = skipWhitespace();
        if (c == ']') {
            pos++;
            put(']');
            return;
        }
        int index = 0;
        while (true) {
            if (index > 0) {
                put(',');
            }
            try {
                readValue(c, depth);
            } catch (DuplicateKey e) {
                e.path.addFirst(Integer.toString(index));
                throw e;
            }
            index++;
            c = skipWhitespace();
            if (c == ',') {
                pos++;
                c = skipWhitespace();
            } else if (c == ']') {
                pos++;
                put(']');
                return;
            } else {
                throw unexpected(c, "',' or ']'");
            }
        }
    }

    private void readLiteral(byte[] literal) {
        if (pos + literal.length > in.length
                || !Arrays.equals(in, pos, pos + literal.length, literal, 0, literal.length)) {
            throw malformed("unrecognized token, want " + new String(literal, StandardCharsets.US_ASCII), pos);
        }
        ensure(literal.length);
        System.arraycopy(literal, 0, out, count, literal.length);
        count += literal.length;
        pos += literal.length;
    }

    private void readNumber() {
        byte[] b = in;
        int start = pos;
        int i = start;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        if (i < b.length && b[i] == '0') {
            i++;
        } else if (i < b.length && b[i] >= '1' && b[i] <= '9') {
            while (i < b.length && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
        } else {
            pos = i;
            throw unexpected(i < b.length ? b[i] & 0xFF : END, "a digit");
        }
        int integerEnd = i;
        boolean plain = true;
        if (i < b.length && b[i] == '.') {
            plain = false;
            i = digits(i + 1, "a digit after the decimal point");
        }
        if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
            plain = false;
            i++;
            if (i < b.length && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            i = digits(i, "a digit in the exponent");
        }
        int length = i - start;
        if (length > MAX_NUMBER_CHARS) {
            throw malformed("number of " + length + " characters, limit " + MAX_NUMBER_CHARS, start);
        }
        pos = i;
        int digits = integerEnd - start - (negative ? 1 : 0);
        if (plain && digits <= PLAIN_INTEGER_DIGITS_MAX) {
            if (negative && digits == 1 && b[start + 1] == '0') {
                put('0'); // ECMAScript writes -0 as "0"
            } else {
                ensure(length);
                System.arraycopy(b, start, out, count, length);
                count += length;
            }
            return;
        }
        // Double.parseDouble rounds correctly; JSON's number grammar is a subset of its input.
        String text = new String(b, start, length, StandardCharsets.US_ASCII);
        double value = Double.parseDouble(text);
        if (!Double.isFinite(value)) {
            throw malformed(
                    "number " + (text.length() <= NAME_IN_MESSAGE_MAX_CHARS ? text : text.substring(0, 64) + "…")
                            + " is outside the IEEE 754 double range",
                    start);
        }
        if (numbers == null) {
            numbers = new JsonCanonicalizer();
        }
        numbers.reset();
        numbers.writeNumber(value);
        ensure(numbers.size());
        byte[] written = numbers.toByteArray();
        System.arraycopy(written, 0, out, count, written.length);
        count += written.length;
    }

    /** The end of a run of at least one digit starting at {@code i}. */
    private int digits(int i, String want) {
        int start = i;
        while (i < in.length && in[i] >= '0' && in[i] <= '9') {
            i++;
        }
        if (i == start) {
            pos = i;
            throw unexpected(i < in.length ? in[i] & 0xFF : END, want);
        }
        return i;
    }

    /** Reads the string at the current position (a quote) and writes its canonical form. */
    private void readString() {
        byte[] b = in;
        int start = pos;
        int i = stopIndex(b, start + 1);
        if (i < b.length && b[i] == '"') {
            int length = i + 1 - start;
            ensure(length);
            System.arraycopy(b, start, out, count, length);
            count += length;
            pos = i + 1;
            return;
        }
        readEscapedString(start, i);
    }

    /**
     * The offset of the first quote, backslash or control byte in {@code b} from {@code i} on, or
     * {@code b.length}. Eight bytes per step: in each byte of the word, a quote or backslash is a
     * zero after an XOR, a control byte is below 0x20, and the lowest byte flagged by {@code (x -
     * 0x01…) & ~x & 0x80…} is always a true one (a borrow only flags bytes above it).
     */
    static int stopIndex(byte[] b, int i) {
        int last = b.length - Long.BYTES;
        while (i <= last) {
            long word = (long) LONGS.get(b, i);
            long quote = word ^ QUOTES;
            long backslash = word ^ BACKSLASHES;
            long found = ((quote - ONES) & ~quote | (backslash - ONES) & ~backslash | (word - SPACES) & ~word) & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
            i += Long.BYTES;
        }
        while (i < b.length && !STRING_STOP[b[i] & 0xFF]) {
            i++;
        }
        return i;
    }

    /** The rest of a string from {@code i}, the first quote, backslash or control byte after its start. */
    private void readEscapedString(int start, int i) {
        byte[] b = in;
        ensure(i - start);
        System.arraycopy(b, start, out, count, i - start);
        count += i - start;
        int run = i;
        while (true) {
            if (i >= b.length) {
                throw malformed("unterminated string starting", start);
            }
            int c = b[i];
            if (c == '"') {
                append(run, i);
                put('"');
                pos = i + 1;
                return;
            }
            if (c >= 0 && c < 0x20) {
                throw malformed(String.format("unescaped control character U+%04X in a string", c), i);
            }
            if (c != '\\') {
                i++;
                continue;
            }
            append(run, i);
            if (i + 1 >= b.length) {
                throw malformed("unterminated string starting", start);
            }
            int escape = b[i + 1];
            switch (escape) {
                case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                    writeChar(
                            switch (escape) {
                                case 'b' -> '\b';
                                case 'f' -> '\f';
                                case 'n' -> '\n';
                                case 'r' -> '\r';
                                case 't' -> '\t';
                                default -> escape;
                            });
                    i += 2;
                }
                case 'u' -> {
                    int unit = hex4(i + 2);
                    i += 6;
                    if (Character.isHighSurrogate((char) unit)) {
                        int low = i + 6 <= b.length && b[i] == '\\' && b[i + 1] == 'u' ? hex4(i + 2) : -1;
                        if (low < 0 || !Character.isLowSurrogate((char) low)) {
                            throw unpairedSurrogate(unit, i - 6);
                        }
                        int codePoint = Character.toCodePoint((char) unit, (char) low);
                        i += 6;
                        ensure(4);
                        out[count++] = (byte) (0xF0 | (codePoint >> 18));
                        out[count++] = (byte) (0x80 | ((codePoint >> 12) & 0x3F));
                        out[count++] = (byte) (0x80 | ((codePoint >> 6) & 0x3F));
                        out[count++] = (byte) (0x80 | (codePoint & 0x3F));
                    } else if (Character.isLowSurrogate((char) unit)) {
                        throw unpairedSurrogate(unit, i - 6);
                    } else {
                        writeChar(unit);
                    }
                }
                default -> throw malformed("invalid escape '\\" + (char) (escape & 0xFF) + "' in a string", i);
            }
            run = i;
        }
    }

    private IndelibleException unpairedSurrogate(int unit, int offset) {
        return new IndelibleException(
                ErrorCode.INVALID_UTF8,
                String.format(
                        "string holds an unpaired surrogate U+%04X; it has no UTF-8 form (RFC 8785 §3.2.2.2,"
                                + " RFC 7493 §2.1) at byte offset %d",
                        unit, offset));
    }

    /** The four hex digits at {@code at} as a UTF-16 code unit. */
    private int hex4(int at) {
        if (at + 4 > in.length) {
            throw malformed("truncated \\u escape", at - 2);
        }
        int value = 0;
        for (int k = at; k < at + 4; k++) {
            int digit = Character.digit(in[k] & 0xFF, 16);
            if (digit < 0 || in[k] < 0) {
                throw malformed("invalid \\u escape", at - 2);
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    /** Writes one BMP char, not a surrogate, in its canonical string form (RFC 8785 §3.2.2.2). */
    private void writeChar(int c) {
        ensure(6);
        byte[] o = out;
        if (c == '"' || c == '\\') {
            o[count++] = '\\';
            o[count++] = (byte) c;
        } else if (c < 0x20) {
            count = JsonCanonicalizer.writeControl(o, count, (char) c);
        } else if (c < 0x80) {
            o[count++] = (byte) c;
        } else if (c < 0x800) {
            o[count++] = (byte) (0xC0 | (c >> 6));
            o[count++] = (byte) (0x80 | (c & 0x3F));
        } else {
            o[count++] = (byte) (0xE0 | (c >> 12));
            o[count++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            o[count++] = (byte) (0x80 | (c & 0x3F));
        }
    }

    /**
     * The string whose canonical form, quotes included, is {@code out[start, end)}: canonical
     * strings hold only the escapes {@link #writeChar} writes, and UTF-8.
     */
    private String decodeString(int start, int end) {
        int from = start + 1;
        int to = end - 1;
        int backslash = indexOf(out, '\\', from, to);
        if (backslash < 0) {
            return new String(out, from, to - from, StandardCharsets.UTF_8);
        }
        StringBuilder s = new StringBuilder(to - from);
        int i = from;
        while (backslash >= 0) {
            s.append(new String(out, i, backslash - i, StandardCharsets.UTF_8));
            int escape = out[backslash + 1];
            switch (escape) {
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    s.append((char) Integer.parseInt(new String(out, backslash + 2, 4, StandardCharsets.US_ASCII), 16));
                    i = backslash + 6;
                    backslash = indexOf(out, '\\', i, to);
                    continue;
                }
                default -> s.append((char) escape);
            }
            i = backslash + 2;
            backslash = indexOf(out, '\\', i, to);
        }
        return s.append(new String(out, i, to - i, StandardCharsets.UTF_8)).toString();
    }

    private static int indexOf(byte[] b, int value, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private void append(int from, int to) {
        int length = to - from;
        ensure(length);
        System.arraycopy(in, from, out, count, length);
        count += length;
    }

    private void put(char c) {
        ensure(1);
        out[count++] = (byte) c;
    }

    private void ensure(int extra) {
        if (count + extra > out.length) {
            out = Arrays.copyOf(out, Math.max(count + extra, 2 * out.length));
        }
    }

    /**
     * An object in {@link #out} at {@code [start, end)}, braces included, to be written with its
     * members in the order of {@code members} ({@code [start, end)} pairs), or as it is if {@code
     * members} is null; {@code inside} are the reordered objects within it, in body order.
     */
    private record Reordered(int start, int end, int[] members, List<Reordered> inside) {}

    /**
     * A member name repeated within one object; {@link #path} is the JSON Pointer segments from the
     * event down to the repeated member (the segments are unescaped names and array indices).
     */
    static final class DuplicateKey extends RuntimeException {
        private static final long serialVersionUID = 1L;
        /** The repeated name, clipped for a message. */
        final String name;
        /** Segments from the event to the repeated member, outermost first. */
        final transient ArrayDeque<String> path = new ArrayDeque<>();

        DuplicateKey(String name) {
            super(name, null, false, false);
            this.name = name;
        }

        /** The path as an RFC 6901 JSON Pointer. */
        String pointer() {
            StringBuilder pointer = new StringBuilder();
            for (String segment : path) {
                pointer.append('/').append(segment.replace("~", "~0").replace("/", "~1"));
            }
            return pointer.toString();
        }
    }
}
