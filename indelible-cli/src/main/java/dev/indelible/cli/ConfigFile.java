package dev.indelible.cli;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * The settings file of {@code indelible server --config FILE}: the same settings as the command's
 * options, for operators who keep a node's configuration in a file.
 *
 * <p>Format: UTF-8 text, one {@code key = value} per line; blank lines and lines whose first
 * non-blank character is {@code #} are ignored. A key is a long option without its leading dashes
 * ({@code node-id = n1} means {@code --node-id n1}). The value is everything after the first
 * {@code =}, surrounding whitespace removed, taken literally: no quotes, escapes or continuation
 * lines, so an RFC 2253 DN with {@code \,} in it or a Windows path means what it says. There are
 * no end-of-line comments: whitespace followed by {@code #} in a value is refused rather than
 * silently made part of a path. Each value is parsed by picocli exactly as {@code --key=value} on
 * the command line, so types, booleans ({@code true} / {@code false}) and comma lists behave the
 * same; a repeatable option (e.g. {@code client-cert-scope}) may be given on several lines.
 *
 * <p>Not {@link java.util.Properties} (nor picocli's {@code PropertiesDefaultProvider}, built on
 * it): that silently ignores unknown keys, keeps only the last of repeated keys and treats
 * backslashes as escapes. Here a typo must never go unnoticed: an unknown key, a line that is not
 * {@code key = value}, an empty value, a value with an end-of-line comment or a repeated
 * single-valued key is a usage error naming the file and the key or line. Errors never quote an
 * unknown key's value or a malformed line (it might be a secret typed into the wrong place).
 *
 * <p>Precedence: an option given on the command line replaces the file's value (for a repeatable
 * option, all of the file's values); options in neither keep their defaults. Relative paths in the
 * file resolve against the file's directory, so that a node's file and the keys beside it mean the
 * same wherever the server is started from; relative paths on the command line resolve against the
 * working directory as usual.
 */
final class ConfigFile {
    /** Larger files are refused: a settings file is a few hundred bytes. */
    static final long FILE_MAX_BYTES = 1 << 20;

    /** Whitespace then '#' inside a value: an attempted end-of-line comment. */
    private static final Pattern INLINE_COMMENT = Pattern.compile("\\s#");

    private record Value(int lineNumber, String text) {}

    private ConfigFile() {}

    /**
     * Sets every option of {@code target}'s command that its command line did not give from
     * {@code file}. Call it after {@code target} has parsed its arguments.
     *
     * @param blank a fresh command line of the same command, which parses the file's values
     * @throws ParameterException (a usage error) if the file cannot be read or holds an error
     */
    static void apply(Path file, CommandLine target, CommandLine blank) {
        Map<String, List<Value>> entries = read(file, target);
        Map<String, OptionSpec> options = options(file, target, entries);
        List<String> args = new ArrayList<>();
        List<String> fromFile = new ArrayList<>();
        for (Map.Entry<String, List<Value>> entry : entries.entrySet()) {
            if (!target.getParseResult().hasMatchedOption(options.get(entry.getKey()))) {
                fromFile.add(entry.getKey());
                entry.getValue().forEach(value -> args.add("--" + entry.getKey() + "=" + value.text()));
            }
        }
        try {
            blank.parseArgs(args.toArray(String[]::new));
        } catch (ParameterException e) {
            throw new ParameterException(target, file + ": " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        for (String key : fromFile) {
            Object value = blank.getCommandSpec().findOption("--" + key).getValue();
            options.get(key).setValue(value instanceof Path path ? dir.resolve(path) : value);
        }
    }

    /** The file's entries by key, in file order. */
    private static Map<String, List<Value>> read(Path file, CommandLine target) {
        List<String> lines;
        try {
            if (Files.size(file) > FILE_MAX_BYTES) {
                throw new ParameterException(
                        target, "config file " + file + " is larger than " + FILE_MAX_BYTES + " bytes");
            }
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new ParameterException(target, "cannot read config file " + file + ": " + reason(e));
        }
        Map<String, List<Value>> entries = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            // A byte order mark (some editors write one) is not part of the first key.
            String line = (i == 0 ? lines.get(i).replaceFirst("^\uFEFF", "") : lines.get(i)).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String where = file + " line " + (i + 1);
            if (eq < 0) {
                throw new ParameterException(target, where + ": expected key = value");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (key.isEmpty()) {
                throw new ParameterException(target, where + ": no key before '='");
            }
            if (value.isEmpty()) {
                throw new ParameterException(target, where + ": key '" + key + "' has no value");
            }
            if (INLINE_COMMENT.matcher(value).find()) {
                // Most likely "key = value  # note": refused rather than taken into the value.
                throw new ParameterException(
                        target,
                        where + ": key '" + key + "' has ' #' in its value; " + "comments go on lines of their own");
            }
            entries.computeIfAbsent(key, k -> new ArrayList<>()).add(new Value(i + 1, value));
        }
        return entries;
    }

    /** The option of each key; refuses unknown keys and repeated single-valued ones. */
    private static Map<String, OptionSpec> options(Path file, CommandLine target, Map<String, List<Value>> entries) {
        Map<String, OptionSpec> options = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, List<Value>> entry : entries.entrySet()) {
            OptionSpec option = setting(target, entry.getKey());
            if (option == null) {
                String guess = closestKey(target, entry.getKey());
                unknown.add("'" + entry.getKey() + "' (line "
                        + entry.getValue().getFirst().lineNumber()
                        + (guess == null ? "" : "; did you mean " + guess + "?") + ")");
            } else if (entry.getValue().size() > 1 && !option.isMultiValue()) {
                throw new ParameterException(
                        target,
                        file + ": key '" + entry.getKey() + "' is given more than once (lines "
                                + entry.getValue().stream()
                                        .map(v -> Integer.toString(v.lineNumber()))
                                        .collect(Collectors.joining(", "))
                                + ")");
            } else {
                options.put(entry.getKey(), option);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ParameterException(
                    target,
                    file + ": unknown key" + (unknown.size() > 1 ? "s " : " ")
                            + String.join(", ", unknown) + "; keys are the long options of '"
                            + target.getCommandSpec().qualifiedName() + "' without the leading dashes, e.g. node-id");
        }
        return options;
    }

    /** The option named {@code --key}, unless it is not a setting (help, version, --config itself). */
    private static OptionSpec setting(CommandLine target, String key) {
        String name = "--" + key;
        for (OptionSpec option : target.getCommandSpec().options()) {
            if (Arrays.asList(option.names()).contains(name)) {
                boolean setting =
                        !option.usageHelp() && !option.versionHelp() && !name.equals(ServerCommand.CONFIG_OPTION);
                return setting ? option : null;
            }
        }
        return null;
    }

    /** The setting whose key is at most two edits from {@code key}, the nearest one if several; else null. */
    private static String closestKey(CommandLine target, String key) {
        String closest = null;
        int best = 3;
        for (OptionSpec option : target.getCommandSpec().options()) {
            String candidate = option.longestName().substring(2);
            if (option.longestName().startsWith("--") && setting(target, candidate) != null) {
                int distance = editDistance(key, candidate);
                if (distance < best) {
                    best = distance;
                    closest = candidate;
                }
            }
        }
        return closest;
    }

    /** Levenshtein distance (keys are short). */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException missing -> "no such file";
            case AccessDeniedException denied -> "permission denied";
            case MalformedInputException malformed -> "not UTF-8 text";
            default -> Main.oneLine(e);
        };
    }
}
