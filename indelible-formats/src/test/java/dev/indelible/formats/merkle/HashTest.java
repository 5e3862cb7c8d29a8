package dev.indelible.formats.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HashTest {
    static final String ROOT = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";

    @Test
    void base64AndHexRoundTrip() {
        Hash hash = Hash.fromBase64(ROOT);
        assertThat(hash.base64()).isEqualTo(ROOT);
        assertThat(Hash.fromHex(hash.hex())).isEqualTo(hash);
    }

    /** Regression: fromBase64 used the JDK decoder as is, which accepts two more spellings of every hash. */
    @Test
    void base64WithoutPaddingOrWithNonZeroTrailingBitsIsRejected() {
        assertThatThrownBy(() -> Hash.fromBase64(ROOT.replace("=", ""))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hash.fromBase64(ROOT.replace("2I=", "2J=")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hash.fromBase64("AAAA")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bytesAreCopiedInAndOut() {
        byte[] raw = new byte[32];
        Hash hash = Hash.of(raw);
        raw[0] = 1;
        hash.bytes()[0] = 2;
        assertThat(hash.bytes()[0]).isZero();
        assertThatThrownBy(() -> Hash.of(new byte[31])).hasMessage("hash length 31, want 32");
        assertThatThrownBy(() -> Hash.of(new byte[40], 9)).isInstanceOf(IllegalArgumentException.class);
    }
}
