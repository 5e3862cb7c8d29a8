package dev.indelible.formats.note;

import dev.indelible.formats.encoding.FormatException;

/** An Ed25519 note verifier (signature type 0x01); immutable, so thread-safe. */
final class Ed25519NoteVerifier implements NoteVerifier {
    private final String name;
    private final int keyId;
    private final byte[] publicKey;

    private Ed25519NoteVerifier(String name, int keyId, byte[] publicKey) {
        this.name = name;
        this.keyId = keyId;
        this.publicKey = publicKey;
    }

    static Ed25519NoteVerifier of(KeyText key, byte wantType) {
        if (key.signatureType() != wantType) {
            throw new FormatException(
                    "verifier key " + key.name() + " has signature type " + key.signatureType() + ", want " + wantType);
        }
        byte[] publicKey = key.keyMaterial();
        if (publicKey.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new FormatException(
                    "verifier key " + key.name() + " has a public key of " + publicKey.length + " bytes, want 32");
        }
        return new Ed25519NoteVerifier(key.name(), key.keyId(), publicKey);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int keyId() {
        return keyId;
    }

    @Override
    public void verify(byte[] text, byte[] signature) {
        Ed25519.verify(publicKey, text, signature);
    }

    @Override
    public String toString() {
        return "Ed25519NoteVerifier[" + name + "+" + KeyText.hex(keyId) + "]";
    }
}
