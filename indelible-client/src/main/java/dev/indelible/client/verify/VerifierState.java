package dev.indelible.client.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.merkle.Hash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * What a verifier remembers between runs (the {@code --state} file): the last checkpoint it
 * verified, so the next run can demand a consistency proof from it. JSON:
 *
 * <pre>{"origin":…,"treeSize":…,"rootHash":"&lt;base64&gt;","verifierKey":…,"checkpoint":"&lt;signed note&gt;"}</pre>
 *
 * <p>{@code checkpoint} keeps the signed note itself, so that if the log later contradicts it, the
 * caller holds the log's own signature over the old tree head as evidence.
 *
 * @param origin the log's origin line
 * @param treeSize the verified tree size
 * @param rootHash the verified root hash
 * @param verifierKey the pinned verifier key it was verified with
 * @param checkpoint the signed checkpoint note, as text
 */
public record VerifierState(String origin, long treeSize, Hash rootHash, String verifierKey, String checkpoint) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest state file read: a checkpoint note is at most 256 KiB. */
    static final long STATE_MAX_BYTES = 1 << 20;

    /** The checkpoint this state describes (without signatures). */
    public Checkpoint asCheckpoint() {
        return Checkpoint.of(origin, treeSize, rootHash);
    }

    /**
     * Reads a state file; empty if it does not exist.
     *
     * @throws IllegalArgumentException if the file is not a valid state file
     * @throws UncheckedIOException if it cannot be read
     */
    public static Optional<VerifierState> read(Path file) {
        try {
            if (Files.size(file) > STATE_MAX_BYTES) {
                throw new IllegalArgumentException("state file " + file + " is larger than " + STATE_MAX_BYTES);
            }
            JsonNode node = JSON.readTree(Files.readAllBytes(file));
            return Optional.of(new VerifierState(
                    text(node, "origin", file),
                    node.path("treeSize").asLong(-1),
                    Hash.fromBase64(text(node, "rootHash", file)),
                    text(node, "verifierKey", file),
                    node.path("checkpoint").asText("")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading state file " + file, e);
        }
    }

    /**
     * Replaces {@code file} with this state atomically: write a temporary file beside it, fsync it,
     * rename it over {@code file}, fsync the directory. A crash leaves the old or the new state,
     * never a torn one.
     */
    public void replaceAtomically(Path file) {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        ObjectNode node = JSON.createObjectNode();
        node.put("origin", origin).put("treeSize", treeSize).put("rootHash", rootHash.base64());
        node.put("verifierKey", verifierKey).put("checkpoint", checkpoint);
        byte[] bytes = (node.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8);
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("writing state file " + target, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The write already failed; that failure is what the caller needs to see.
                }
            }
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (UnsupportedOperationException | java.nio.file.AccessDeniedException e) {
            // Some platforms cannot open or sync a directory; the rename itself is still atomic.
        }
    }

    private static String text(JsonNode node, String name, Path file) {
        JsonNode value = node.get(name);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("state file " + file + " has no text field " + name);
        }
        return value.asText();
    }
}
