package dev.indelible.log.fsck;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Fsck} checks and with which keys.
 *
 * <p>Checkpoint signatures are verified, per log, with the first of: a {@code verifierKeys} entry
 * whose key name is the log's origin; the Ed25519 {@code publicKeyBase64} named by the origin; the
 * key derived from {@code <data>/keys/log-signing.key} if it is readable. Keys given explicitly come
 * first because a key stored in the directory being checked proves less than one pinned elsewhere.
 *
 * @param dataDirectory the server's data directory (holding {@code logs/} and {@code keys/})
 * @param verifierKeys C2SP verifier key texts {@code <origin>+<hex id>+<base64>}, any number
 * @param publicKeyBase64 the server's 32-byte Ed25519 public key, standard base64
 */
public record FsckOptions(Path dataDirectory, List<String> verifierKeys, Optional<String> publicKeyBase64) {
    /** Copies the list. */
    public FsckOptions {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        verifierKeys = List.copyOf(verifierKeys);
        Objects.requireNonNull(publicKeyBase64, "publicKeyBase64");
    }

    /** Checks {@code dataDirectory} with the key file found in it, if any. */
    public static FsckOptions of(Path dataDirectory) {
        return new FsckOptions(dataDirectory, List.of(), Optional.empty());
    }
}
