package dev.indelible.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a key given on the command line as text or as {@code @file}. */
final class Keys {
    private Keys() {}

    static String read(String option) throws IOException {
        if (option.startsWith("@")) {
            return Files.readString(Path.of(option.substring(1)), StandardCharsets.UTF_8)
                    .strip();
        }
        return option.strip();
    }
}
