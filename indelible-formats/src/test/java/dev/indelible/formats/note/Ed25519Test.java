package dev.indelible.formats.note;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.ProofVerificationException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Known answers from RFC 8032 §7.1, and what verification refuses. This module's tests run {@link
 * Ed25519} on its default engine, the JDK's; the server's engine is compared with the JDK's by its
 * own test in indelible-replication.
 */
class Ed25519Test {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 8032 §7.1: TEST 1, TEST 2, TEST 3 and TEST SHA(abc), as secret key, public key, message, signature. */
    private static final String[][] RFC_8032_VECTORS = {
        {
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                    + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        },
        {
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                    + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        },
        {
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
                    + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        },
        {
            "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
            "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                    + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
                    + "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"
        },
    };

    @Test
    void publicKeysAndSignaturesMatchRfc8032TestVectors() {
        for (String[] vector : RFC_8032_VECTORS) {
            byte[] seed = HEX.parseHex(vector[0]);
            byte[] message = HEX.parseHex(vector[2]);
            assertThat(HEX.formatHex(Ed25519.publicKeyFromSeed(seed)))
                    .as("public key of %s", vector[0])
                    .isEqualTo(vector[1]);
            assertThat(HEX.formatHex(Ed25519.sign(seed, message)))
                    .as("signature by %s", vector[0])
                    .isEqualTo(vector[3]);
            assertThatCode(() -> Ed25519.verify(HEX.parseHex(vector[1]), message, HEX.parseHex(vector[3])))
                    .as("verify by %s", vector[1])
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void randomSignaturesVerifyAndAnyFlippedBitIsRejected() {
        Random random = new Random(8032);
        for (int i = 0; i < 100; i++) {
            byte[] seed = new byte[Ed25519.SEED_SIZE];
            random.nextBytes(seed);
            byte[] message = new byte[random.nextInt(i < 20 ? 4 : 1_000)];
            random.nextBytes(message);
            String what = "case " + i + ", seed " + HEX.formatHex(seed) + ", message of " + message.length + " bytes";

            byte[] publicKey = Ed25519.publicKeyFromSeed(seed);
            byte[] signature = Ed25519.sign(seed, message);
            assertThat(Ed25519.sign(seed, message)).as(what + ": deterministic").isEqualTo(signature);
            assertThatCode(() -> Ed25519.verify(publicKey, message, signature))
                    .as(what)
                    .doesNotThrowAnyException();

            byte[] badSignature = flipRandomBit(signature, random);
            assertThatThrownBy(() -> Ed25519.verify(publicKey, message, badSignature))
                    .as(what + ", flipped signature bit")
                    .isInstanceOf(ProofVerificationException.class);
            byte[] badMessage = message.length == 0 ? new byte[1] : flipRandomBit(message, random);
            assertThatThrownBy(() -> Ed25519.verify(publicKey, badMessage, signature))
                    .as(what + ", flipped message bit")
                    .isInstanceOf(ProofVerificationException.class);
            byte[] badKey = flipRandomBit(publicKey, random);
            assertThatThrownBy(() -> Ed25519.verify(badKey, message, signature))
                    .as(what + ", flipped key bit")
                    .isInstanceOf(ProofVerificationException.class);
        }
    }

    @Test
    void verifyRejectsWrongLengthsWithTheLengthsInTheMessage() {
        byte[] seed = HEX.parseHex(RFC_8032_VECTORS[0][0]);
        byte[] publicKey = Ed25519.publicKeyFromSeed(seed);
        byte[] signature = Ed25519.sign(seed, new byte[0]);
        assertThatThrownBy(() -> Ed25519.verify(Arrays.copyOf(publicKey, 31), new byte[0], signature))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessage("Ed25519 public key of 31 bytes and signature of 64 bytes, want 32 and 64");
        assertThatThrownBy(() -> Ed25519.verify(publicKey, new byte[0], Arrays.copyOf(signature, 65)))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessage("Ed25519 public key of 32 bytes and signature of 65 bytes, want 32 and 64");
    }

    @Test
    void verifyRejectsUndecodablePointsAndOutOfRangeScalarsAsInvalidSignatures() {
        byte[] seed = HEX.parseHex(RFC_8032_VECTORS[0][0]);
        byte[] publicKey = Ed25519.publicKeyFromSeed(seed);
        byte[] signature = Ed25519.sign(seed, new byte[0]);
        // y = 2^255 - 1 is not below p = 2^255 - 19: not a canonical point encoding.
        byte[] nonCanonical = new byte[32];
        Arrays.fill(nonCanonical, (byte) 0xff);
        assertThatThrownBy(() -> Ed25519.verify(nonCanonical, new byte[0], signature))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessage("Ed25519 signature e5564300c360ac72… does not verify under public key "
                        + HEX.formatHex(nonCanonical));
        byte[] badR = signature.clone();
        System.arraycopy(nonCanonical, 0, badR, 0, 32);
        assertThatThrownBy(() -> Ed25519.verify(publicKey, new byte[0], badR))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageStartingWith("Ed25519 signature ffffffffffffffff… does not verify under public key d75a98");
        // S + L is the same scalar mod L, but RFC 8032 §5.1.7 requires S < L (no malleability).
        byte[] malleated = signature.clone();
        addGroupOrder(malleated);
        assertThatThrownBy(() -> Ed25519.verify(publicKey, new byte[0], malleated))
                .isInstanceOf(ProofVerificationException.class);
    }

    @Test
    void withoutAnotherEngineOnTheClassPathTheJdksIsUsed() {
        assertThat(Ed25519.engine()).isEqualTo("jdk");
    }

    @Test
    void seedsOfTheWrongLengthAreRejected() {
        assertThatThrownBy(() -> Ed25519.publicKeyFromSeed(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Ed25519 seed of 31 bytes, want 32");
        assertThatThrownBy(() -> Ed25519.sign(new byte[33], new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Ed25519 seed of 33 bytes, want 32");
    }

    private static byte[] flipRandomBit(byte[] bytes, Random random) {
        byte[] flipped = bytes.clone();
        int bit = random.nextInt(bytes.length * 8);
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        return flipped;
    }

    /** Adds L = 2^252 + 27742317777372353535851937790883648493 to the little-endian S half of a signature. */
    private static void addGroupOrder(byte[] signature) {
        byte[] order = HEX.parseHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        int carry = 0;
        for (int i = 0; i < 32; i++) {
            int sum = (signature[32 + i] & 0xff) + (order[i] & 0xff) + carry;
            signature[32 + i] = (byte) sum;
            carry = sum >>> 8;
        }
    }
}
