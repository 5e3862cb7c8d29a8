package dev.indelible.formats.tiles;

import dev.indelible.formats.encoding.FormatException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry bundles (c2sp.org/tlog-tiles §Log entries): up to 256 log entries, each written as a
 * big-endian uint16 length followed by that many bytes. Decoding demands the exact entry count the
 * bundle's path promises and no trailing bytes.
 */
public final class EntryBundle {
    /** Largest entry a bundle can carry: the uint16 length limit. */
    public static final int MAX_ENTRY_BYTES = 0xffff;

    private EntryBundle() {}

    /**
     * Encodes 1 to 256 entries.
     *
     * @throws IllegalArgumentException if there are no entries, more than 256, or one exceeds
     *     {@link #MAX_ENTRY_BYTES}
     */
    public static byte[] encode(List<byte[]> entries) {
        if (entries.isEmpty() || entries.size() > TilePath.FULL_WIDTH) {
            throw new IllegalArgumentException("entry bundle of " + entries.size() + " entries, want 1 to 256");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < entries.size(); i++) {
            byte[] entry = entries.get(i);
            if (entry.length > MAX_ENTRY_BYTES) {
                throw new IllegalArgumentException(
                        "entry " + i + " of " + entry.length + " bytes exceeds " + MAX_ENTRY_BYTES);
            }
            out.write(entry.length >>> 8);
            out.write(entry.length);
            out.write(entry, 0, entry.length);
        }
        return out.toByteArray();
    }

    /**
     * Decodes a bundle that must hold exactly {@code count} entries (the width of its path).
     *
     * @throws FormatException if a length runs past the end, or the count or size differs
     */
    public static List<byte[]> decode(byte[] bundle, int count) {
        if (count < 1 || count > TilePath.FULL_WIDTH) {
            throw new IllegalArgumentException("entry count " + count + ", want 1 to 256");
        }
        List<byte[]> entries = new ArrayList<>(count);
        int offset = 0;
        while (offset < bundle.length) {
            if (entries.size() == count) {
                throw new FormatException(
                        "entry bundle has " + (bundle.length - offset) + " bytes after its " + count + " entries");
            }
            if (offset + 2 > bundle.length) {
                throw new FormatException("entry bundle ends inside the length of entry " + entries.size());
            }
            int length = ((bundle[offset] & 0xff) << 8) | (bundle[offset + 1] & 0xff);
            offset += 2;
            if (offset + length > bundle.length) {
                throw new FormatException("entry " + entries.size() + " of " + length + " bytes overruns the bundle by "
                        + (offset + length - bundle.length) + " bytes");
            }
            entries.add(Arrays.copyOfRange(bundle, offset, offset + length));
            offset += length;
        }
        if (entries.size() != count) {
            throw new FormatException("entry bundle has " + entries.size() + " entries, want " + count);
        }
        return entries;
    }
}
