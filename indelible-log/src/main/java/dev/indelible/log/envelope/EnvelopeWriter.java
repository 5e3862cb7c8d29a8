package dev.indelible.log.envelope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.Rfc9162;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Builds the exact bytes of a leaf entry, envelope version 1 ({@code docs/design/envelope.md}): the
 * RFC 8785 canonical form of
 *
 * <pre>{@code
 * {"event":<event>,"receivedAt":"2026-11-26T05:41:17.123456Z","source":{"address":"…","type":"…"},"v":1}
 * }</pre>
 *
 * or, when the canonical event is longer than {@link #leafEventMaxBytes()},
 *
 * <pre>{@code
 * {"eventDigest":"sha256:<64 lower-case hex>","eventSize":<bytes>,"receivedAt":"…","source":{…},"v":1}
 * }</pre>
 *
 * with the canonical event returned beside the leaf as a {@link PreparedEntry.DetachedBody}. The
 * leaf commits to the body's digest, so an inclusion proof still covers every byte of the event.
 *
 * <p>Members are written in their canonical order ({@code event} &lt; {@code eventDigest} &lt;
 * {@code eventSize} &lt; {@code receivedAt} &lt; {@code source} &lt; {@code v} in UTF-16 order), so
 * the output is byte-for-byte what {@link JsonCanonicalizer} makes of the whole object; the
 * event's canonical bytes are spliced in without re-encoding.
 *
 * <p>{@code receivedAt} is the caller's {@link Instant}, truncated to microseconds and written as
 * RFC 3339 UTC with exactly six fraction digits. This class never reads a clock: replicas given the
 * same inputs MUST compute identical bytes. Thread-safe and stateless.
 */
public final class EnvelopeWriter {
    /** Envelope format version written in {@code "v"}. */
    public static final int VERSION = 1;
    /** Largest entry: the C2SP tlog-tiles entry bundle limit (a 16-bit length prefix). */
    public static final int ENTRY_MAX_BYTES = 65_535;
    /** Upper bound of a {@link Source}'s canonical form (its fields are bounded to fit). */
    public static final int SOURCE_MAX_BYTES = 512;

    private static final byte[] EVENT_OPEN = ascii("{\"event\":");
    private static final byte[] DIGEST_OPEN = ascii("{\"eventDigest\":\"sha256:");
    private static final JsonFactory ID_READER = new JsonFactory();
    private static final byte[] SIZE_OPEN = ascii("\",\"eventSize\":");
    private static final byte[] RECEIVED_AT_OPEN = ascii(",\"receivedAt\":\"");
    private static final byte[] SOURCE_OPEN = ascii("\",\"source\":");
    private static final byte[] SOURCE_ADDRESS_OPEN = ascii("{\"address\":");
    private static final byte[] SOURCE_TYPE_OPEN = ascii(",\"type\":");
    private static final byte[] SOURCE_CLOSE = ascii("}");
    private static final byte[] CLOSE = ascii(",\"v\":" + VERSION + "}");
    private static final int TIMESTAMP_BYTES = "2026-11-26T05:41:17.123456Z".length();

    /**
     * Largest canonical event embedded in the leaf, and the hard maximum of {@link
     * #leafEventMaxBytes()}: every envelope then stays within {@link #ENTRY_MAX_BYTES}.
     */
    public static final int LEAF_EVENT_MAX_BYTES = ENTRY_MAX_BYTES
            - (EVENT_OPEN.length
                    + RECEIVED_AT_OPEN.length
                    + TIMESTAMP_BYTES
                    + SOURCE_OPEN.length
                    + SOURCE_MAX_BYTES
                    + CLOSE.length);

    private final int leafEventMaxBytes;

    /** A writer embedding events up to {@link #LEAF_EVENT_MAX_BYTES}. */
    public EnvelopeWriter() {
        this(LEAF_EVENT_MAX_BYTES);
    }

    /**
     * A writer embedding events up to {@code leafEventMaxBytes} canonical bytes and detaching
     * larger ones.
     *
     * @throws IllegalArgumentException unless 0 ≤ {@code leafEventMaxBytes} ≤ {@link
     *     #LEAF_EVENT_MAX_BYTES}
     */
    public EnvelopeWriter(int leafEventMaxBytes) {
        if (leafEventMaxBytes < 0 || leafEventMaxBytes > LEAF_EVENT_MAX_BYTES) {
            throw new IllegalArgumentException(
                    "leafEventMaxBytes " + leafEventMaxBytes + ", want [0, " + LEAF_EVENT_MAX_BYTES + "]");
        }
        this.leafEventMaxBytes = leafEventMaxBytes;
    }

    /** Largest canonical event embedded in a leaf; larger ones are detached. */
    public int leafEventMaxBytes() {
        return leafEventMaxBytes;
    }

    /**
     * The entry for a parsed event.
     *
     * @throws IllegalArgumentException if {@code receivedAt} is outside years 0000 to 9999
     */
    public PreparedEntry prepare(ParsedEvent event, Instant receivedAt, Source source) {
        return prepare(event, tail(receivedAt, source));
    }

    /**
     * The entries for the events of one request, all received at {@code receivedAt} from {@code
     * source}, in order: the same as {@link #prepare(ParsedEvent, Instant, Source)} of each, with the
     * part every envelope shares (receivedAt, source, v) encoded once.
     *
     * @throws IllegalArgumentException if {@code receivedAt} is outside years 0000 to 9999
     */
    public List<PreparedEntry> prepareAll(List<ParsedEvent> events, Instant receivedAt, Source source) {
        byte[] tail = tail(receivedAt, source);
        List<PreparedEntry> prepared = new ArrayList<>(events.size());
        for (ParsedEvent event : events) {
            prepared.add(prepare(event, tail));
        }
        return prepared;
    }

    /** The entry for {@code event} followed by {@code tail}, the envelope's members after the event's. */
    private PreparedEntry prepare(ParsedEvent event, byte[] tail) {
        byte[] body = event.canonicalBytes();
        if (body.length <= leafEventMaxBytes) {
            // The common case, an embedded event: the size is known, so the entry is filled in place.
            byte[] entry = new byte[checkedEntrySize(EVENT_OPEN.length + body.length + tail.length)];
            System.arraycopy(EVENT_OPEN, 0, entry, 0, EVENT_OPEN.length);
            System.arraycopy(body, 0, entry, EVENT_OPEN.length, body.length);
            System.arraycopy(tail, 0, entry, EVENT_OPEN.length + body.length, tail.length);
            return new PreparedEntry(entry, Optional.empty(), event.clientId());
        }
        Hash digest = Rfc9162.sha256(body);
        JsonCanonicalizer out = new JsonCanonicalizer();
        out.writeRaw(DIGEST_OPEN);
        out.writeRaw(ascii(digest.hex()));
        out.writeRaw(SIZE_OPEN);
        out.writeNumber(body.length);
        out.writeRaw(tail);
        checkedEntrySize(out.size());
        return new PreparedEntry(
                out.toByteArray(), Optional.of(new PreparedEntry.DetachedBody(digest, body)), event.clientId());
    }

    /**
     * The envelope's members after the event (or its digest and size): {@code
     * ,"receivedAt":"…","source":{…},"v":1}}.
     */
    private static byte[] tail(Instant receivedAt, Source source) {
        JsonCanonicalizer out = new JsonCanonicalizer();
        out.writeRaw(RECEIVED_AT_OPEN);
        out.writeRaw(timestamp(receivedAt));
        out.writeRaw(SOURCE_OPEN);
        int sourceStart = out.size();
        out.writeRaw(SOURCE_ADDRESS_OPEN);
        out.writeString(source.address());
        out.writeRaw(SOURCE_TYPE_OPEN);
        out.writeString(source.type());
        out.writeRaw(SOURCE_CLOSE);
        if (out.size() - sourceStart > SOURCE_MAX_BYTES) {
            throw new IllegalStateException("source is " + (out.size() - sourceStart) + " bytes, bound "
                    + SOURCE_MAX_BYTES + ": Source's field bounds are wrong");
        }
        out.writeRaw(CLOSE);
        return out.toByteArray();
    }

    private static int checkedEntrySize(int size) {
        if (size > ENTRY_MAX_BYTES) {
            throw new IllegalStateException(
                    "envelope is " + size + " bytes, limit " + ENTRY_MAX_BYTES + ": size arithmetic is wrong");
        }
        return size;
    }

    /**
     * The entry for an event tree, canonicalized here (tests and tools; the ingestion path passes
     * the {@link ParsedEvent} it already has).
     */
    public PreparedEntry prepare(ObjectNode event, Instant receivedAt, Source source) {
        var id = event.get("id");
        Optional<String> clientId = id != null && id.isTextual() ? Optional.of(id.textValue()) : Optional.empty();
        return prepare(new ParsedEvent(JsonCanonicalizer.canonicalize(event), clientId), receivedAt, source);
    }

    /**
     * The SHA-256 of the detached body that {@code entry} names, if it is the envelope of a large
     * event: with members in canonical order such an envelope begins {@code
     * {"eventDigest":"sha256:<64 lower-case hex>"}, which no other envelope does (an embedded event
     * begins {@code {"event":}). Empty for every other entry. A node that copies entries from a peer
     * uses it to find the bodies it must copy with them.
     */
    public static Optional<Hash> detachedDigest(byte[] entry) {
        int hexStart = DIGEST_OPEN.length;
        if (entry.length < hexStart + 2 * Hash.SIZE || !Arrays.equals(entry, 0, hexStart, DIGEST_OPEN, 0, hexStart)) {
            return Optional.empty();
        }
        for (int i = hexStart; i < hexStart + 2 * Hash.SIZE; i++) {
            byte c = entry[i];
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return Optional.empty();
            }
        }
        return Optional.of(Hash.fromHex(new String(entry, hexStart, 2 * Hash.SIZE, StandardCharsets.US_ASCII)));
    }

    /** Where a detached event body is read from, by its SHA-256. */
    @FunctionalInterface
    public interface Bodies {
        /** The body with {@code digest}, if stored here. */
        Optional<byte[]> body(Hash digest) throws IOException;
    }

    /**
     * The client id the event of envelope {@code entry} carries — the event's top-level string
     * {@code "id"}, as {@link ParsedEvent#clientId} was when the entry was made — read from the
     * embedded event or from the detached body ({@code bodies}). Empty if the event has none, or
     * its body is not stored here.
     */
    public static Optional<String> clientId(byte[] entry, Bodies bodies) throws IOException {
        Optional<Hash> digest = detachedDigest(entry);
        if (digest.isPresent()) {
            Optional<byte[]> body = bodies.body(digest.get());
            return body.isEmpty() ? Optional.empty() : idOf(body.get(), false);
        }
        return idOf(entry, true);
    }

    /** The top-level string "id" of the JSON object in {@code json}, or of its member "event". */
    private static Optional<String> idOf(byte[] json, boolean ofMemberEvent) throws IOException {
        try (JsonParser parser = ID_READER.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            if (!ofMemberEvent) {
                return idOfObject(parser);
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("event")) {
                    return value == JsonToken.START_OBJECT ? idOfObject(parser) : Optional.empty();
                }
                parser.skipChildren();
            }
            return Optional.empty();
        }
    }

    /** With {@code parser} just past an object's start: its member "id", if a string. */
    private static Optional<String> idOfObject(JsonParser parser) throws IOException {
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("id")) {
                return value == JsonToken.VALUE_STRING ? Optional.of(parser.getText()) : Optional.empty();
            }
            parser.skipChildren();
        }
        return Optional.empty();
    }

    /** {@code receivedAt} as {@code yyyy-MM-ddTHH:mm:ss.SSSSSSZ}, truncated to microseconds. */
    static byte[] timestamp(Instant receivedAt) {
        Instant micros = receivedAt.truncatedTo(ChronoUnit.MICROS);
        LocalDateTime t = LocalDateTime.ofEpochSecond(micros.getEpochSecond(), micros.getNano(), ZoneOffset.UTC);
        if (t.getYear() < 0 || t.getYear() > 9999) {
            throw new IllegalArgumentException("receivedAt " + receivedAt + " is outside years 0000 to 9999");
        }
        byte[] b = new byte[TIMESTAMP_BYTES];
        digits(b, 0, t.getYear(), 4);
        b[4] = '-';
        digits(b, 5, t.getMonthValue(), 2);
        b[7] = '-';
        digits(b, 8, t.getDayOfMonth(), 2);
        b[10] = 'T';
        digits(b, 11, t.getHour(), 2);
        b[13] = ':';
        digits(b, 14, t.getMinute(), 2);
        b[16] = ':';
        digits(b, 17, t.getSecond(), 2);
        b[19] = '.';
        digits(b, 20, t.getNano() / 1000, 6);
        b[26] = 'Z';
        return b;
    }

    private static void digits(byte[] b, int offset, int value, int width) {
        for (int i = offset + width - 1; i >= offset; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
