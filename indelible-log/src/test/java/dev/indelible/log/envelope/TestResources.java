package dev.indelible.log.envelope;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads files under {@code src/test/resources/envelope/}, and parsed events back into trees. */
final class TestResources {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TestResources() {}

    /** The tree of a parsed event, read back from its canonical form. */
    static ObjectNode tree(ParsedEvent event) {
        try {
            return (ObjectNode) MAPPER.readTree(event.canonicalBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(String name) {
        try (InputStream in = TestResources.class.getResourceAsStream("/envelope/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource envelope/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
