package dev.indelible.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Splits events into NDJSON request bodies of at most {@code maxEvents} events and {@code maxBytes}
 * bytes, and reads NDJSON input line by line without decoding it (invalid UTF-8 must reach the
 * server unchanged so that it is rejected, not silently replaced).
 */
final class EventBatches {
    /** Longest client id a server deduplicates, in UTF-16 chars (longer ids are appended, never matched). */
    static final int CLIENT_ID_MAX_CHARS = 1_024;

    /** Longest NDJSON line read, so that a missing newline cannot exhaust memory. */
    static final int EVENT_LINE_MAX_BYTES = 64 << 20;

    private final int maxEvents;
    private final long maxBytes;

    EventBatches(int maxEvents, long maxBytes) {
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
    }

    /**
     * Whether every event of {@code events} is a JSON object with a top-level string {@code "id"} of
     * at most {@link #CLIENT_ID_MAX_CHARS} chars: the client id a server deduplicates retries by. Reads
     * only the top level of each event (nested values are skipped, not built).
     */
    static boolean allIdentified(List<byte[]> events, JsonFactory json) {
        for (byte[] event : events) {
            if (!identified(event, json)) {
                return false;
            }
        }
        return !events.isEmpty();
    }

    private static boolean identified(byte[] event, JsonFactory json) {
        try (JsonParser parser = json.createParser(event)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("id")) {
                    return value == JsonToken.VALUE_STRING && parser.getText().length() <= CLIENT_ID_MAX_CHARS;
                }
                parser.skipChildren();
            }
            return false;
        } catch (IOException e) {
            return false; // not JSON: the server will refuse it, and an id cannot be read from it
        }
    }

    /** The events of {@code events} grouped into batches, in order. */
    List<List<byte[]>> split(List<byte[]> events) {
        List<List<byte[]>> batches = new ArrayList<>();
        Accumulator batch = new Accumulator(batches::add);
        events.forEach(batch::add);
        batch.flush();
        return batches;
    }

    /**
     * Reads non-blank lines of {@code in} and hands them to {@code onBatch} in batches.
     *
     * @return the number of events read
     */
    long read(InputStream in, Consumer<List<byte[]>> onBatch) {
        Accumulator batch = new Accumulator(onBatch);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try (BufferedInputStream buffered = new BufferedInputStream(in, 65_536)) {
            for (int b = buffered.read(); ; b = buffered.read()) {
                if (b >= 0 && b != '\n') {
                    if (line.size() >= EVENT_LINE_MAX_BYTES) {
                        throw new IllegalArgumentException("NDJSON event " + (batch.total + 1) + " is longer than "
                                + EVENT_LINE_MAX_BYTES + " bytes");
                    }
                    line.write(b);
                    continue;
                }
                byte[] event = trimmed(line.toByteArray());
                line.reset();
                if (event.length > 0) {
                    batch.add(event);
                }
                if (b < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading NDJSON events", e);
        }
        batch.flush();
        return batch.total;
    }

    /** Collects events until the next one would exceed a bound. */
    private final class Accumulator {
        private final Consumer<List<byte[]>> sink;
        private List<byte[]> current = new ArrayList<>();
        private long bytes;
        long total;

        Accumulator(Consumer<List<byte[]>> sink) {
            this.sink = sink;
        }

        void add(byte[] event) {
            if (!current.isEmpty() && (current.size() >= maxEvents || bytes + event.length + 1 > maxBytes)) {
                flush();
            }
            current.add(event);
            bytes += event.length + 1L;
            total++;
        }

        void flush() {
            if (!current.isEmpty()) {
                sink.accept(current);
                current = new ArrayList<>();
                bytes = 0;
            }
        }
    }

    /** One NDJSON request body: each event on its own line, inner CR/LF turned into spaces. */
    static byte[] ndjson(List<byte[]> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] event : events) {
            for (byte b : event) {
                // CR and LF can only be whitespace in valid JSON (strings must escape them).
                out.write(b == '\n' || b == '\r' ? ' ' : b);
            }
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static byte[] trimmed(byte[] line) {
        int start = 0;
        int end = line.length;
        while (start < end && isSpace(line[start])) {
            start++;
        }
        while (end > start && isSpace(line[end - 1])) {
            end--;
        }
        return start == 0 && end == line.length ? line : Arrays.copyOfRange(line, start, end);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
