package dev.indelible.log.envelope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 *       Jackson's limit, or a number outside the double range (such as {@code 1e400});
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
 * <p>The tree is built from Jackson's streaming parser rather than {@code readTree} so that
 * duplicate names, out-of-range numbers and positions are detected here with exact error codes
 * (this is equivalent to Jackson's strict duplicate detection, without parsing its messages).
 *
 * <p>Thread-safe: the {@link JsonFactory} is shared and immutable; per-call state lives on the
 * stack.
 */
public final class EventParser {
    /** Media type of a single event or a JSON array of events. */
    public static final String JSON = "application/json";
    /** Media type of newline-delimited events. */
    public static final String NDJSON = "application/x-ndjson";

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long MAX_EXACT_INTEGER = 1L << 53;
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
        Batch batch = new Batch(limits);
        try {
            if (ndjson) {
                parseNdjson(body, batch);
            } else {
                parseJson(body, batch);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading an in-memory body", e);
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

    private static void parseJson(byte[] body, Batch batch) throws IOException {
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken token = p.nextToken();
            if (token == null) {
                return; // only whitespace: reported as an empty batch
            }
            if (token == JsonToken.START_ARRAY) {
                while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
                    batch.add(p, token, "");
                }
            } else {
                batch.add(p, token, "");
            }
            requireEnd(p, "");
        } catch (JsonProcessingException e) {
            throw malformed(e, batch, "");
        }
    }

    /** Rejects anything but whitespace after the body's one value. */
    private static void requireEnd(JsonParser p, String where) throws IOException {
        try {
            if (p.nextToken() == null) {
                return;
            }
        } catch (JsonProcessingException e) {
            // falls through: unparseable trailing content is still trailing content
        }
        throw new IndelibleException(
                ErrorCode.MALFORMED_JSON,
                where + "trailing content after the JSON value at byte offset "
                        + p.currentLocation().getByteOffset());
    }

    private static void parseNdjson(byte[] body, Batch batch) throws IOException {
        int start = 0;
        int lineNumber = 0;
        while (start < body.length) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            lineNumber++;
            if (!isBlank(body, start, end)) {
                String where = "line " + lineNumber + ", ";
                try (JsonParser p = FACTORY.createParser(body, start, end - start)) {
                    batch.add(p, p.nextToken(), where);
                    requireEnd(p, where + "event " + (batch.events.size() - 1) + ": ");
                } catch (JsonProcessingException e) {
                    throw malformed(e, batch, where);
                }
            }
            start = end + 1;
        }
    }

    private static boolean isBlank(byte[] body, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = body[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /**
     * Maps Jackson's syntax errors to MALFORMED_JSON, except its complaints about an escaped
     * unpaired surrogate (which it rejects in member names): the body is already known to be
     * well-formed UTF-8, so such a message can only come from an escape, and an unpaired surrogate
     * is INVALID_UTF8 wherever it appears.
     */
    private static IndelibleException malformed(JsonProcessingException e, Batch batch, String where) {
        String offset = e.getLocation() == null
                ? ""
                : " at byte offset " + e.getLocation().getByteOffset();
        String message = e.getOriginalMessage();
        boolean surrogate = message != null && message.toLowerCase(Locale.ROOT).contains("surrogate");
        return new IndelibleException(
                surrogate ? ErrorCode.INVALID_UTF8 : ErrorCode.MALFORMED_JSON,
                where + "event " + batch.events.size() + ": " + e.getOriginalMessage() + offset,
                e);
    }

    private static String clip(String s) {
        return s.length() <= NAME_IN_MESSAGE_MAX_CHARS ? s : s.substring(0, NAME_IN_MESSAGE_MAX_CHARS) + "…";
    }

    /** The events read so far from one body, and the canonicalizer reused for each. */
    private static final class Batch {
        final EventLimits limits;
        final List<ParsedEvent> events = new ArrayList<>();
        final JsonCanonicalizer canonicalizer = new JsonCanonicalizer();

        Batch(EventLimits limits) {
            this.limits = limits;
        }

        /** Reads the event starting at {@code token}, checks it, and appends it. */
        void add(JsonParser p, JsonToken token, String where) throws IOException {
            int position = events.size();
            if (position >= limits.batchMaxEvents()) {
                throw new IndelibleException(
                        ErrorCode.BATCH_TOO_LARGE,
                        where + "event " + position + " exceeds the limit of " + limits.batchMaxEvents()
                                + " events per batch");
            }
            if (token != JsonToken.START_OBJECT) {
                throw new IndelibleException(
                        ErrorCode.EVENT_NOT_OBJECT,
                        where + "event " + position + " is " + describe(token) + ", want an object");
            }
            ObjectNode event = readObject(p, where, position);
            canonicalizer.reset();
            try {
                canonicalizer.write(event);
            } catch (IndelibleException e) {
                throw new IndelibleException(e.code(), where + "event " + position + ": " + e.getMessage(), e);
            }
            if (canonicalizer.size() > limits.eventMaxBytes()) {
                throw new IndelibleException(
                        ErrorCode.EVENT_TOO_LARGE,
                        where + "event " + position + " is " + canonicalizer.size() + " bytes in canonical form, limit "
                                + limits.eventMaxBytes());
            }
            JsonNode id = event.get("id");
            Optional<String> clientId = id != null && id.isTextual() ? Optional.of(id.textValue()) : Optional.empty();
            events.add(new ParsedEvent(event, canonicalizer.toByteArray(), clientId));
        }

        private ObjectNode readObject(JsonParser p, String where, int position) throws IOException {
            ObjectNode object = NODES.objectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonNode value = readValue(p, p.nextToken(), where, position);
                if (object.replace(name, value) != null) {
                    throw new IndelibleException(
                            ErrorCode.DUPLICATE_KEY,
                            where + "event " + position + ": duplicate key \"" + clip(name) + "\" at "
                                    + p.getParsingContext().pathAsPointer());
                }
            }
            return object;
        }

        private ArrayNode readArray(JsonParser p, String where, int position) throws IOException {
            ArrayNode array = NODES.arrayNode();
            JsonToken token;
            while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
                array.add(readValue(p, token, where, position));
            }
            return array;
        }

        private JsonNode readValue(JsonParser p, JsonToken token, String where, int position) throws IOException {
            return switch (token) {
                case START_OBJECT -> readObject(p, where, position);
                case START_ARRAY -> readArray(p, where, position);
                case VALUE_STRING -> TextNode.valueOf(p.getText());
                case VALUE_NUMBER_INT -> readInteger(p, where, position);
                case VALUE_NUMBER_FLOAT -> DoubleNode.valueOf(finiteDouble(p, where, position));
                case VALUE_TRUE -> BooleanNode.TRUE;
                case VALUE_FALSE -> BooleanNode.FALSE;
                case VALUE_NULL -> NullNode.instance;
                default -> throw new IllegalStateException("unexpected token " + token);
            };
        }

        private static JsonNode readInteger(JsonParser p, String where, int position) throws IOException {
            JsonParser.NumberType type = p.getNumberType();
            if (type == JsonParser.NumberType.INT) {
                return IntNode.valueOf(p.getIntValue());
            }
            if (type == JsonParser.NumberType.LONG) {
                long value = p.getLongValue();
                if (value >= -MAX_EXACT_INTEGER && value <= MAX_EXACT_INTEGER) {
                    return LongNode.valueOf(value);
                }
            }
            // Beyond 2^53 the value is rounded to the nearest double, as ECMAScript and RFC 8785 do.
            return DoubleNode.valueOf(finiteDouble(p, where, position));
        }

        private static double finiteDouble(JsonParser p, String where, int position) throws IOException {
            // Double.parseDouble rounds correctly; JSON's number grammar is a subset of its input.
            double value = Double.parseDouble(p.getText());
            if (!Double.isFinite(value)) {
                throw new IndelibleException(
                        ErrorCode.MALFORMED_JSON,
                        where + "event " + position + ": number " + clip(p.getText())
                                + " at byte offset " + p.currentTokenLocation().getByteOffset()
                                + " is outside the IEEE 754 double range");
            }
            return value;
        }

        private static String describe(JsonToken token) {
            if (token == null) {
                return "empty";
            }
            return switch (token) {
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> String.valueOf(token);
            };
        }
    }
}
