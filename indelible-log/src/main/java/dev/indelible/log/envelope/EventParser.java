package dev.indelible.log.envelope;

import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns an HTTP request body into events, strictly, so that no two parsers can read one accepted
 * body differently.
 *
 * <p>Accepted shapes, chosen by the media type (parameters other than {@code charset=utf-8} are
 * ignored; any other charset is refused):
 *
 * <ul>
 *   <li>{@value #JSON}: one JSON object (one event) or a JSON array of objects (a batch);
 *   <li>{@value #NDJSON}: one object per line; lines holding only JSON whitespace are skipped.
 * </ul>
 *
 * <p>Every rejection is an {@link IndelibleException} naming the event's 0-based position:
 *
 * <ul>
 *   <li>{@link ErrorCode#INVALID_UTF8}: a byte sequence that is not well-formed UTF-8 anywhere in
 *       the body (checked on the raw bytes before parsing, see {@link StrictUtf8}), or a string
 *       escape that leaves an unpaired surrogate such as <code>"&#92;ud800"</code> — it names a code unit
 *       with no UTF-8 form, so the event cannot be committed as UTF-8 (RFC 7493 §2.1);
 *   <li>{@link ErrorCode#MALFORMED_JSON}: a syntax error, trailing content, nesting deeper than
 *       {@value CanonicalReader#MAX_DEPTH} levels, a number longer than {@value
 *       CanonicalReader#MAX_NUMBER_CHARS} characters or outside the double range (such as {@code
 *       1e400});
 *   <li>{@link ErrorCode#DUPLICATE_KEY}: a member name repeated in any object at any depth;
 *   <li>{@link ErrorCode#EVENT_NOT_OBJECT}: an event (array element, line, or the whole body)
 *       that is not an object;
 *   <li>{@link ErrorCode#EMPTY_BATCH}: a body of only whitespace, or {@code []};
 *   <li>{@link ErrorCode#EVENT_TOO_LARGE}: canonical form larger than {@link
 *       EventLimits#eventMaxBytes()};
 *   <li>{@link ErrorCode#BATCH_TOO_LARGE}: more than {@link EventLimits#batchMaxEvents()} events;
 *   <li>{@link ErrorCode#UNSUPPORTED_MEDIA_TYPE}: any other media type or charset.
 * </ul>
 *
 * <p>One bad event rejects the whole body: a batch is accepted whole or not at all.
 *
 * <p>The bytes are read by a {@link CanonicalReader}, which writes each event's RFC 8785 canonical
 * form as it parses, without a tree: most of an event's bytes are canonical already and are copied.
 * Error messages end with the absolute byte offset in the body. A UTF-8 byte order mark at the
 * start of the body is skipped.
 *
 * <p>Thread-safe: per-call state lives in objects made for the call.
 */
public final class EventParser {
    /** Media type of a single event or a JSON array of events. */
    public static final String JSON = "application/json";
    /** Media type of newline-delimited events. */
    public static final String NDJSON = "application/x-ndjson";

    private static final int NAME_IN_MESSAGE_MAX_CHARS = 64;

    private final EventLimits limits;

    /** A parser enforcing {@code limits}. */
    public EventParser(EventLimits limits) {
        this.limits = limits;
    }

    /** The limits this parser enforces. */
    public EventLimits limits() {
        return limits;
    }

    /**
     * Parses {@code body} sent with the HTTP {@code Content-Type} {@code contentType}.
     *
     * @param contentType the media type with optional parameters; {@code null} is refused
     * @return the events in body order, at least one
     * @throws IndelibleException with the codes listed on the class
     */
    public List<ParsedEvent> parse(String contentType, byte[] body) {
        boolean ndjson = isNdjson(contentType);
        int invalid = StrictUtf8.firstInvalidOffset(body);
        if (invalid >= 0) {
            throw new IndelibleException(
                    ErrorCode.INVALID_UTF8,
                    String.format("invalid UTF-8 at byte offset %d (byte 0x%02X)", invalid, body[invalid] & 0xFF));
        }
        Batch batch = new Batch(limits, new CanonicalReader(body, ndjson));
        if (ndjson) {
            parseNdjson(batch);
        } else {
            parseJson(batch);
        }
        if (batch.events.isEmpty()) {
            throw new IndelibleException(ErrorCode.EMPTY_BATCH, "the body holds no events");
        }
        return List.copyOf(batch.events);
    }

    private static boolean isNdjson(String contentType) {
        if (contentType == null) {
            throw new IndelibleException(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE, "no content type, want " + JSON + " or " + NDJSON);
        }
        String[] parts = contentType.split(";");
        String type = parts[0].trim().toLowerCase(Locale.ROOT);
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].trim().split("=", 2);
            if (param[0].trim().equalsIgnoreCase("charset")
                    && !(param.length == 2 && unquote(param[1].trim()).equalsIgnoreCase("utf-8"))) {
                throw new IndelibleException(
                        ErrorCode.UNSUPPORTED_MEDIA_TYPE, "charset in \"" + clip(contentType) + "\", want utf-8");
            }
        }
        return switch (type) {
            case JSON -> false;
            case NDJSON -> true;
            default ->
                throw new IndelibleException(
                        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "content type \"" + clip(contentType) + "\", want " + JSON + " or " + NDJSON);
        };
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static void parseJson(Batch batch) {
        CanonicalReader reader = batch.reader;
        int c = reader.skipWhitespace();
        if (c == CanonicalReader.END) {
            return; // only whitespace: reported as an empty batch
        }
        if (c == '[') {
            reader.advance();
            c = reader.skipWhitespace();
            if (c != ']') {
                while (true) {
                    batch.add(0);
                    c = reader.skipWhitespace();
                    if (c == ',') {
                        reader.advance();
                        reader.skipWhitespace();
                    } else if (c == ']') {
                        break;
                    } else {
                        throw batch.atNext(0, reader.unexpected(c, "',' or ']'"));
                    }
                }
            }
            reader.advance();
        } else {
            batch.add(0);
        }
        if (reader.skipWhitespace() != CanonicalReader.END) {
            throw new IndelibleException(
                    ErrorCode.MALFORMED_JSON,
                    "trailing content after the JSON value at byte offset " + reader.position());
        }
    }

    private static void parseNdjson(Batch batch) {
        CanonicalReader reader = batch.reader;
        int line = 1;
        while (true) {
            int c = reader.skipWhitespace();
            if (c == CanonicalReader.NEWLINE) {
                reader.advance();
                line++;
                continue; // a blank line
            }
            if (c == CanonicalReader.END) {
                return;
            }
            batch.add(line);
            c = reader.skipWhitespace();
            if (c == CanonicalReader.NEWLINE) {
                reader.advance();
                line++;
            } else if (c != CanonicalReader.END) {
                throw new IndelibleException(
                        ErrorCode.MALFORMED_JSON,
                        where(line) + "event " + (batch.events.size() - 1)
                                + ": trailing content after the JSON value at byte offset " + reader.position());
            }
        }
    }

    /** The prefix of an error message naming an NDJSON line (1-based), or none for line 0. */
    private static String where(int line) {
        return line == 0 ? "" : "line " + line + ", ";
    }

    private static String clip(String s) {
        return s.length() <= NAME_IN_MESSAGE_MAX_CHARS ? s : s.substring(0, NAME_IN_MESSAGE_MAX_CHARS) + "…";
    }

    /** The events read so far from one body, and the reader of its bytes. */
    private static final class Batch {
        final EventLimits limits;
        final CanonicalReader reader;
        final List<ParsedEvent> events = new ArrayList<>();

        Batch(EventLimits limits, CanonicalReader reader) {
            this.limits = limits;
            this.reader = reader;
        }

        /** Reads the event at the reader's position (on NDJSON line {@code line}), checks it, and appends it. */
        void add(int line) {
            int position = events.size();
            if (position >= limits.batchMaxEvents()) {
                throw new IndelibleException(
                        ErrorCode.BATCH_TOO_LARGE,
                        where(line) + "event " + position + " exceeds the limit of " + limits.batchMaxEvents()
                                + " events per batch");
            }
            int c = reader.skipWhitespace();
            if (c != '{') {
                String kind = describe(c);
                if (kind == null) {
                    throw atNext(line, reader.unexpected(c, "an object"));
                }
                throw new IndelibleException(
                        ErrorCode.EVENT_NOT_OBJECT,
                        where(line) + "event " + position + " is " + kind + ", want an object");
            }
            try {
                reader.readEvent();
            } catch (IndelibleException e) {
                throw atNext(line, e);
            } catch (CanonicalReader.DuplicateKey e) {
                throw new IndelibleException(
                        ErrorCode.DUPLICATE_KEY,
                        where(line) + "event " + position + ": duplicate key \"" + e.name + "\" at " + e.pointer());
            }
            if (reader.size() > limits.eventMaxBytes()) {
                throw new IndelibleException(
                        ErrorCode.EVENT_TOO_LARGE,
                        where(line) + "event " + position + " is " + reader.size() + " bytes in canonical form, limit "
                                + limits.eventMaxBytes());
            }
            events.add(new ParsedEvent(reader.toByteArray(), Optional.ofNullable(reader.clientId())));
        }

        /** {@code e} with its message prefixed by the line and the position of the next event. */
        IndelibleException atNext(int line, IndelibleException e) {
            return new IndelibleException(e.code(), where(line) + "event " + events.size() + ": " + e.getMessage(), e);
        }

        /** What a value starting with byte {@code c} is, or null if no value starts so. */
        private String describe(int c) {
            return switch (c) {
                case '[' -> "an array";
                case '"' -> "a string";
                case 't', 'f' -> reader.atLiteral() ? "a boolean" : null;
                case 'n' -> reader.atLiteral() ? "null" : null;
                case CanonicalReader.END, CanonicalReader.NEWLINE -> null;
                default -> c == '-' || (c >= '0' && c <= '9') ? "a number" : null;
            };
        }
    }
}
