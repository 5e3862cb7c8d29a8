package dev.indelible.log.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads files under {@code src/test/resources/envelope/}. */
final class TestResources {
    private TestResources() {}

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
