package dev.indelible.server;

import dev.indelible.formats.note.KeyText;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.Notes;
import dev.indelible.log.CheckpointSigner;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * The log signing key: an Ed25519 key in C2SP signed-note signer-key text ({@code
 * PRIVATE+KEY+<name>+<hash>+<base64>}), kept in {@code <data>/keys/log-signing.key} with mode 0600.
 * Created on first start; never logged.
 *
 * <p>Each log signs under a key <em>name</em> equal to its origin ({@code <host>/<log>}), as C2SP
 * tlog-checkpoint recommends, so each log has its own verifier key text ({@code
 * <origin>+<key id>+<base64 public key>}) while the server keeps one secret. A signature for one
 * log can never be passed off as another's: the origin line is inside the signed text, and the key
 * ids differ. See docs/adr/0002-one-key-per-server-named-per-log.md.
 */
public final class LogKey {
    /** The key file's name inside the keys directory. */
    public static final String FILE_NAME = "log-signing.key";

    private final byte[] seed;
    private final String publicKeyBase64;
    private final boolean created;

    private LogKey(String signerKeyText, boolean created) {
        KeyText parsed = KeyText.parseSignerKey(signerKeyText);
        this.seed = parsed.keyMaterial();
        String verifier = NoteKeys.ed25519FromSeed(parsed.name(), seed).verifierKey();
        this.publicKeyBase64 = Base64.getEncoder()
                .encodeToString(KeyText.parseVerifierKey(verifier).keyMaterial());
        this.created = created;
    }

    /** Reads the key from {@code file}. */
    public static LogKey load(Path file) throws IOException {
        return new LogKey(Files.readString(file, StandardCharsets.UTF_8).strip(), false);
    }

    /**
     * Loads the key from {@code keysDirectory}, or generates one named {@code name} and stores it
     * durably (exclusive create, mode 0600, fsync, directory fsync).
     */
    public static LogKey loadOrCreate(Path keysDirectory, String name, FileIO io) throws IOException {
        Path file = keysDirectory.resolve(FILE_NAME);
        if (Files.exists(file)) {
            return load(file);
        }
        String signerKey = NoteKeys.generateEd25519(name, new SecureRandom()).signerKey();
        createExclusive(file, signerKey + "\n", io);
        return new LogKey(signerKey, true);
    }

    /** Writes a new secret file readable by its owner only; fails if it exists. */
    public static void createExclusive(Path file, String content, FileIO io) throws IOException {
        io.createDirectories(file.getParent());
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel channel = io.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        io.syncDirectory(file.getParent());
    }

    /** The C2SP verifier key text of the log whose origin is {@code origin}. */
    public String verifierKey(String origin) {
        return NoteKeys.ed25519FromSeed(origin, seed).verifierKey();
    }

    /** The 32-byte Ed25519 public key, base64. */
    public String publicKey() {
        return publicKeyBase64;
    }

    /** Whether this start created the key. */
    public boolean created() {
        return created;
    }

    /** Signs checkpoint text of the log with {@code origin} into a signed note. */
    public CheckpointSigner signer(String origin) {
        NoteSigner signer =
                NoteSigner.ed25519(NoteKeys.ed25519FromSeed(origin, seed).signerKey());
        return text -> Notes.sign(text, List.of(signer));
    }

    @Override
    public String toString() {
        return "LogKey[" + publicKeyBase64 + "]";
    }
}
