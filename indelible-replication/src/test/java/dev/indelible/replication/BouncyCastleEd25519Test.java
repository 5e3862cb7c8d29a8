package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.ProofVerificationException;
import dev.indelible.formats.note.Ed25519;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The server's Ed25519 engine: found by {@link Ed25519} on this module's class path, and
 * byte-for-byte the same as the JDK's provider (called directly) on random seeds and messages.
 */
class BouncyCastleEd25519Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SPKI_PREFIX = HEX.parseHex("302a300506032b6570032100");
    private final BouncyCastleEd25519 engine = new BouncyCastleEd25519();

    @Test
    void ed25519UsesItWhereverThisModuleIsOnTheClassPath() {
        assertThat(Ed25519.engine()).isEqualTo("bouncycastle");
        // RFC 8032 §7.1 TEST 2, through the public API
        byte[] seed = HEX.parseHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
        assertThat(HEX.formatHex(Ed25519.publicKeyFromSeed(seed)))
                .isEqualTo("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
        assertThat(HEX.formatHex(Ed25519.sign(seed, new byte[] {0x72})))
                .isEqualTo("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                        + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
    }

    @Test
    void keysAndSignaturesAreTheJdksAndEachAcceptsTheOthers() throws GeneralSecurityException {
        Random random = new Random(25519);
        for (int i = 0; i < 200; i++) {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            byte[] message = new byte[random.nextInt(i < 20 ? 4 : 1_000)];
            random.nextBytes(message);
            String what = "case " + i + ", seed " + HEX.formatHex(seed);

            byte[] publicKey = engine.publicKey(seed);
            byte[] signature = engine.sign(seed, message);
            assertThat(signature).as(what).isEqualTo(jdkSign(seed, message));
            assertThat(jdkVerify(publicKey, message, signature))
                    .as(what + ": the JDK accepts it under our public key")
                    .isTrue();
            assertThat(engine.verify(publicKey, message, signature)).as(what).isTrue();

            byte[] badSignature = flipRandomBit(signature, random);
            byte[] badMessage = message.length == 0 ? new byte[1] : flipRandomBit(message, random);
            byte[] badKey = flipRandomBit(publicKey, random);
            assertThat(engine.verify(publicKey, message, badSignature)).as(what).isFalse();
            assertThat(engine.verify(publicKey, badMessage, signature)).as(what).isFalse();
            assertThat(engine.verify(badKey, message, signature)).as(what).isFalse();
        }
    }

    @Test
    void undecodableKeysAndSmallOrderKeysVerifyNothing() {
        byte[] nonCanonical = new byte[32];
        Arrays.fill(nonCanonical, (byte) 0xff); // y = 2^255 - 1 is not below p
        byte[] seed = new byte[32];
        byte[] signature = engine.sign(seed, new byte[0]);
        assertThat(engine.verify(nonCanonical, new byte[0], signature)).isFalse();
        // Under the neutral element as key, R = neutral and S = 0 satisfy [S]B = R + [k]A for every
        // message: the JDK's provider accepts that, this engine does not.
        byte[] neutral = new byte[32];
        neutral[0] = 1;
        byte[] trivial = new byte[64];
        trivial[0] = 1;
        assertThatThrownBy(() -> Ed25519.verify(neutral, "any message".getBytes(StandardCharsets.UTF_8), trivial))
                .isInstanceOf(ProofVerificationException.class);
    }

    private static byte[] flipRandomBit(byte[] bytes, Random random) {
        byte[] flipped = bytes.clone();
        int bit = random.nextInt(bytes.length * 8);
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        return flipped;
    }

    private static byte[] jdkSign(byte[] seed, byte[] message) throws GeneralSecurityException {
        Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed)));
        signature.update(message);
        return signature.sign();
    }

    private static boolean jdkVerify(byte[] publicKey, byte[] message, byte[] signature)
            throws GeneralSecurityException {
        byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + 32);
        System.arraycopy(publicKey, 0, spki, SPKI_PREFIX.length, 32);
        PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(key);
        verifier.update(message);
        return verifier.verify(signature);
    }
}
