package dev.indelible.replication;

import dev.indelible.formats.cosignature.CosignatureV1;
import dev.indelible.formats.note.Ed25519;
import dev.indelible.formats.note.KeyText;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteSigner;
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
import java.time.Clock;

/**
 * A node's own Ed25519 key, with which it cosigns every checkpoint it has checked (C2SP
 * tlog-cosignature, {@code cosignature/v1}). Unlike the log key it is never shared: a cosignature
 * says that this node, independently, computed the checkpoint's root. Kept in one file (mode 0600)
 * in signed-note signer-key text, created on the node's first start.
 */
final class NodeKey {
    private final String signerKey;
    private final String verifierKey;

    private NodeKey(String signerKey) {
        this.signerKey = signerKey;
        KeyText key = KeyText.parseSignerKey(signerKey);
        byte[] publicKey = Ed25519.publicKeyFromSeed(key.keyMaterial());
        this.verifierKey = CosignatureV1.verifierKey(key.name(), publicKey);
    }

    /** Loads the key in {@code file}, or creates one named {@code name} there. */
    static NodeKey loadOrCreate(Path file, String name, FileIO io) throws IOException {
        if (Files.exists(file)) {
            return new NodeKey(Files.readString(file, StandardCharsets.UTF_8).strip());
        }
        String signerKey = NoteKeys.generateEd25519(name, new SecureRandom()).signerKey();
        io.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel channel = io.open(temp, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap((signerKey + "\n").getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        io.moveAtomically(temp, file);
        io.syncDirectory(file.getParent());
        return new NodeKey(signerKey);
    }

    /** The cosigner verifier key (type 0x04) that checks this node's cosignatures. */
    String verifierKey() {
        return verifierKey;
    }

    /** A cosigner stamping signatures with {@code clock}'s time. */
    NoteSigner cosigner(Clock clock) {
        return CosignatureV1.signer(signerKey, clock);
    }
}
