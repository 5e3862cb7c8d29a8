package dev.indelible.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where this jar's JDK AOT cache lives and when a JVM may use it: a JDK 25 or newer, and a cache
 * file newer than the jar (the JVM checks the rest itself and runs without a cache that does not
 * match). {@code ./indelible} applies the same rule.
 */
final class AotCache {
    /** The first JDK with AOT caches that hold method profiles as well as loaded and linked classes (JEP 515). */
    static final int MIN_JDK = 25;

    private AotCache() {}

    static boolean supported() {
        return Runtime.version().feature() >= MIN_JDK;
    }

    /** The jar this JVM runs from; an AOT cache can only be made for a class path of jar files. */
    static Path runningJar() {
        String classPath = System.getProperty("java.class.path");
        if (classPath.contains(File.pathSeparator)
                || !classPath.endsWith(".jar")
                || !Files.isRegularFile(Path.of(classPath))) {
            throw new IllegalStateException(
                    "an AOT cache needs the CLI jar as the whole class path (java -jar indelible.jar), not "
                            + classPath);
        }
        return Path.of(classPath).toAbsolutePath();
    }

    /** The cache that belongs beside {@code jar}: {@code indelible.jar} → {@code indelible.aot}. */
    static Path defaultFile(Path jar) {
        String name = jar.getFileName().toString();
        return jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".aot");
    }

    /** The options that start a server JVM of this jar with its cache, if there is a usable one. */
    static List<String> useOptions() {
        if (!supported()) {
            return List.of();
        }
        Path jar;
        try {
            jar = runningJar();
        } catch (IllegalStateException e) {
            return List.of();
        }
        Path cache = defaultFile(jar);
        try {
            if (Files.isRegularFile(cache)
                    && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) > 0) {
                return List.of("-XX:AOTCache=" + cache);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of();
    }
}
