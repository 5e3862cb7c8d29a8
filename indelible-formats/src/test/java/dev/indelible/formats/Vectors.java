package dev.indelible.formats;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Reads committed test vectors from {@code src/test/resources/vectors} (see its README.md). */
public final class Vectors {
    private Vectors() {}

    /** The bytes of vector file {@code name}. */
    public static byte[] bytes(String name) {
        try (InputStream in = Objects.requireNonNull(Vectors.class.getResourceAsStream("/vectors/" + name), name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The UTF-8 text of vector file {@code name}. */
    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    /** The value of line {@code "<key> <value>"} in a vector text. */
    public static String field(String text, String key) {
        for (String line : text.split("\n")) {
            if (line.startsWith(key + " ")) {
                return line.substring(key.length() + 1);
            }
        }
        throw new IllegalArgumentException("no field " + key);
    }

    /** The text after the {@code ---} separator line of a vector text. */
    public static String afterSeparator(String text) {
        int start = text.indexOf("---");
        return text.substring(text.indexOf('\n', start) + 1);
    }
}
