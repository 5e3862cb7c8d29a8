package dev.indelible.formats.note;

import dev.indelible.formats.encoding.FormatException;

/** An Ed25519 note signer (signature type 0x01); immutable, so thread-safe. */
final class Ed25519NoteSigner implements NoteSigner {
    private final String name;
    private final int keyId;
    private final byte[] seed;

    private Ed25519NoteSigner(String name, int keyId, byte[] seed) {
        this.name = name;
        this.keyId = keyId;
        this.seed = seed;
    }

    static Ed25519NoteSigner parse(String signerKey) {
        KeyText key = KeyText.parseSignerKey(signerKey);
        if (key.signatureType() != NoteKeys.ED25519) {
            throw new FormatException("signer key " + key.name() + " has signature type " + key.signatureType()
                    + ", want " + NoteKeys.ED25519 + " (Ed25519)");
        }
        byte[] seed = key.keyMaterial();
        if (seed.length != Ed25519.SEED_SIZE) {
            throw new FormatException("signer key " + key.name() + " has a seed of " + seed.length + " bytes, want 32");
        }
        int want = NoteKeys.keyId(key.name(), NoteKeys.ED25519, Ed25519.publicKeyFromSeed(seed));
        if (want != key.keyId()) {
            throw new FormatException("signer key " + key.name() + " has key ID " + KeyText.hex(key.keyId())
                    + ", but its key derives " + KeyText.hex(want));
        }
        return new Ed25519NoteSigner(key.name(), key.keyId(), seed);
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
    public byte[] sign(byte[] text) {
        return Ed25519.sign(seed, text);
    }

    @Override
    public String toString() {
        return "Ed25519NoteSigner[" + name + "+" + KeyText.hex(keyId) + "]";
    }
}
