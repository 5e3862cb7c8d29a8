package dev.indelible.client.verify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a pinned verifier key given on a command line: either the key text itself ({@code
 * <name>+<hex key id>+<base64 key>}) or {@code @FILE}, a file holding it (surrounding whitespace
 * ignored).
 */
public final class VerifierKeyText {
    /** Largest key file read; a verifier key is well under 1 KiB. */
    static final long KEY_FILE_MAX_BYTES = 16 * 1024;

    private VerifierKeyText() {}

    /**
     * The key text of {@code argument}.
     *
     * @throws IllegalArgumentException if the file is too large or empty
     * @throws UncheckedIOException if the file cannot be read
     */
    public static String resolve(String argument) {
        if (!argument.startsWith("@")) {
            return argument.strip();
        }
        Path file = Path.of(argument.substring(1));
        try {
            if (Files.size(file) > KEY_FILE_MAX_BYTES) {
                throw new IllegalArgumentException(
                        "verifier key file " + file + " exceeds " + KEY_FILE_MAX_BYTES + " bytes");
            }
            String key = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (key.isEmpty()) {
                throw new IllegalArgumentException("verifier key file " + file + " is empty");
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("reading verifier key file " + file, e);
        }
    }
}
