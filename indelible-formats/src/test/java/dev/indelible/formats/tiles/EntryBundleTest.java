package dev.indelible.formats.tiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.encoding.FormatException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryBundleTest {
    @Test
    void entriesAreWrittenAsBigEndianUint16LengthAndBytes() {
        byte[] bundle = EntryBundle.encode(List.of(new byte[] {1, 2, 3}, new byte[0], new byte[300]));
        assertThat(HexFormat.of().formatHex(bundle, 0, 9)).isEqualTo("000301020300000" + "12c");
        assertThat(bundle).hasSize(2 + 3 + 2 + 2 + 300);
        List<byte[]> decoded = EntryBundle.decode(bundle, 3);
        assertThat(decoded.get(0)).containsExactly(1, 2, 3);
        assertThat(decoded.get(1)).isEmpty();
        assertThat(decoded.get(2)).hasSize(300);
    }

    @Test
    void largestEntryRoundTripsAndOneByteMoreIsRefused() {
        byte[] largest = new byte[EntryBundle.MAX_ENTRY_BYTES];
        largest[largest.length - 1] = 7;
        assertThat(EntryBundle.decode(EntryBundle.encode(List.of(largest)), 1).get(0))
                .isEqualTo(largest);
        assertThatThrownBy(() -> EntryBundle.encode(List.of(new byte[EntryBundle.MAX_ENTRY_BYTES + 1])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65536 bytes exceeds 65535");
    }

    @Test
    void bundlesThatDisagreeWithTheirCountOrLengthAreRejected() {
        byte[] two = EntryBundle.encode(List.of(new byte[] {1}, new byte[] {2, 3}));
        assertThatThrownBy(() -> EntryBundle.decode(two, 1))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("after its 1 entries");
        assertThatThrownBy(() -> EntryBundle.decode(two, 3))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("2 entries, want 3");
        assertThatThrownBy(() -> EntryBundle.decode(java.util.Arrays.copyOf(two, two.length - 1), 2))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("overruns");
        assertThatThrownBy(() -> EntryBundle.decode(new byte[] {0, 1, 9, 0}, 2))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("inside the length");
        assertThatThrownBy(() -> EntryBundle.decode(new byte[0], 1)).isInstanceOf(FormatException.class);
        assertThatThrownBy(() -> EntryBundle.encode(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EntryBundle.encode(java.util.Collections.nCopies(257, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
