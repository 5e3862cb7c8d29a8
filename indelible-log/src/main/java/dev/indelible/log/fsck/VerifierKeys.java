package dev.indelible.log.fsck;

import dev.indelible.formats.encoding.StrictBase64;
import dev.indelible.formats.note.KeyText;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The checkpoint verifier of each log, by origin, in the order of precedence {@link FsckOptions}
 * documents. Each log signs under key name = origin with the server's one seed (see the server's
 * {@code LogKey} and docs/adr/0002), so a public key or seed yields every log's verifier.
 */
final class VerifierKeys {
    /** The signer key file under the data directory. */
    static final String KEY_FILE = "keys/log-signing.key";

    private static final long KEY_FILE_MAX_BYTES = 16 * 1024;

    private final Map<String, NoteVerifier> byName;
    private final byte[] publicKey;
    private final byte[] seed;
    private final String keyFileProblem;

    private VerifierKeys(Map<String, NoteVerifier> byName, byte[] publicKey, byte[] seed, String keyFileProblem) {
        this.byName = byName;
        this.publicKey = publicKey;
        this.seed = seed;
        this.keyFileProblem = keyFileProblem;
    }

    /**
     * Parses the keys given and reads the key file if present.
     *
     * @throws IllegalArgumentException if a given key is malformed
     */
    static VerifierKeys resolve(FsckOptions options) {
        Map<String, NoteVerifier> byName = new HashMap<>();
        for (String text : options.verifierKeys()) {
            NoteVerifier verifier = NoteVerifier.ed25519(text.strip());
            byName.put(verifier.name(), verifier);
        }
        byte[] publicKey = options.publicKeyBase64()
                .map(b64 -> StrictBase64.decode(b64.strip(), "Ed25519 public key"))
                .orElse(null);
        if (publicKey != null) {
            NoteKeys.ed25519VerifierKey("check", publicKey);
        }
        Path file = options.dataDirectory().resolve(KEY_FILE);
        byte[] seed = null;
        String problem = null;
        if (Files.exists(file)) {
            try {
                if (Files.size(file) > KEY_FILE_MAX_BYTES) {
                    throw new IOException("larger than " + KEY_FILE_MAX_BYTES + " bytes");
                }
                seed = KeyText.parseSignerKey(
                                Files.readString(file, StandardCharsets.UTF_8).strip())
                        .keyMaterial();
            } catch (IOException | IllegalArgumentException e) {
                problem = "cannot use " + KEY_FILE + ": " + e.getMessage();
            }
        }
        return new VerifierKeys(byName, publicKey, seed, problem);
    }

    /** The verifier of the log with {@code origin}, if any key covers it. */
    Optional<NoteVerifier> forOrigin(String origin) {
        NoteVerifier given = byName.get(origin);
        if (given != null) {
            return Optional.of(given);
        }
        if (publicKey != null) {
            return Optional.of(NoteVerifier.ed25519(NoteKeys.ed25519VerifierKey(origin, publicKey)));
        }
        if (seed != null) {
            return Optional.of(
                    NoteVerifier.ed25519(NoteKeys.ed25519FromSeed(origin, seed).verifierKey()));
        }
        return Optional.empty();
    }

    /** Why the key file could not be used, if it exists and could not. */
    Optional<String> keyFileProblem() {
        return Optional.ofNullable(keyFileProblem);
    }
}
