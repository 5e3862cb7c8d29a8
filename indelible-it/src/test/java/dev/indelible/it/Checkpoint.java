package dev.indelible.it;

import dev.indelible.formats.merkle.Hash;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A C2SP tlog-checkpoint in a C2SP signed-note, parsed and verified independently of the server's
 * own note code (written from the C2SP specs): the tests must not trust the implementation they
 * check.
 */
record Checkpoint(String origin, long treeSize, Hash rootHash, String text) {
    private static final String SIGNATURE_PREFIX = "\u2014 ";
    private static final byte ED25519 = 0x01;
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    /** Parses a signed note, checking its shape but not its signature. */
    static Checkpoint parse(String note) {
        int split = note.indexOf("\n\n");
        if (split < 0) {
            throw new IllegalArgumentException("no blank line between note text and signatures: " + note);
        }
        String body = note.substring(0, split + 1);
        String[] lines = body.split("\n", -1);
        if (lines.length < 4) {
            throw new IllegalArgumentException("a checkpoint has at least 3 lines: " + note);
        }
        long size = Long.parseLong(lines[1]);
        Hash root = Hash.fromBase64(lines[2]);
        if (!note.endsWith("\n")) {
            throw new IllegalArgumentException("note does not end with a newline");
        }
        return new Checkpoint(lines[0], size, root, note);
    }

    /** Parses {@code note} and verifies an Ed25519 signature by {@code verifierKey} on it. */
    static Checkpoint verified(String note, String verifierKey) {
        Checkpoint checkpoint = parse(note);
        checkpoint.verify(verifierKey);
        return checkpoint;
    }

    /** Throws unless the note carries a valid signature by {@code verifierKey} (name+hash+base64). */
    void verify(String verifierKey) {
        String[] parts = verifierKey.split("\\+", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("verifier key is not name+hash+key: " + verifierKey);
        }
        String name = parts[0];
        byte[] keyWithAlg = Base64.getDecoder().decode(parts[2]);
        if (keyWithAlg.length != 33 || keyWithAlg[0] != ED25519) {
            throw new IllegalArgumentException("not an Ed25519 verifier key: " + verifierKey);
        }
        byte[] keyHash = keyHash(name, keyWithAlg);
        if (!HexFormat.of().formatHex(keyHash).equals(parts[1])) {
            throw new IllegalArgumentException("verifier key hash " + parts[1] + " does not match its key");
        }
        int split = text.indexOf("\n\n");
        byte[] message = text.substring(0, split + 1).getBytes(StandardCharsets.UTF_8);
        String[] signatureLines = text.substring(split + 2).split("\n");
        List<String> names = new ArrayList<>();
        for (String line : signatureLines) {
            if (!line.startsWith(SIGNATURE_PREFIX)) {
                throw new IllegalArgumentException("malformed signature line: " + line);
            }
            String[] fields = line.substring(SIGNATURE_PREFIX.length()).split(" ");
            names.add(fields[0]);
            if (fields.length != 2 || !fields[0].equals(name)) {
                continue;
            }
            byte[] signature = Base64.getDecoder().decode(fields[1]);
            if (signature.length != 4 + 64 || !Arrays.equals(Arrays.copyOf(signature, 4), keyHash)) {
                continue;
            }
            if (ed25519Verify(Arrays.copyOfRange(keyWithAlg, 1, 33), message, Arrays.copyOfRange(signature, 4, 68))) {
                return;
            }
            throw new IllegalArgumentException("bad signature by " + name + " on checkpoint:\n" + text);
        }
        throw new IllegalArgumentException("no signature by " + name + " (signers: " + names + ") on:\n" + text);
    }

    /** The base64 raw Ed25519 public key inside a verifier key {@code name+hash+base64(0x01 || key)}. */
    static String publicKeyOf(String verifierKey) {
        byte[] keyWithAlg = Base64.getDecoder().decode(verifierKey.split("\\+", 3)[2]);
        return Base64.getEncoder().encodeToString(Arrays.copyOfRange(keyWithAlg, 1, keyWithAlg.length));
    }

    static byte[] keyHash(String name, byte[] keyWithAlg) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(name.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) '\n');
            sha256.update(keyWithAlg);
            return Arrays.copyOf(sha256.digest(), 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean ed25519Verify(byte[] rawKey, byte[] message, byte[] signature) {
        try {
            byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
            System.arraycopy(rawKey, 0, spki, ED25519_SPKI_PREFIX.length, 32);
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
