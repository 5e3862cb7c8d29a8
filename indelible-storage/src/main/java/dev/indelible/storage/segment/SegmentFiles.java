package dev.indelible.storage.segment;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;

/** Names and header of segment files (format version 1, see {@code docs/design/storage-format.md}). */
final class SegmentFiles {
    static final int HEADER_BYTES = 16;
    static final String SEGMENT_SUFFIX = ".seg";
    static final String POSITION_SUFFIX = ".pos";
    static final String TEMP_SUFFIX = ".tmp";
    private static final int NAME_DIGITS = 20;
    /** "IDLSEG", 0x00, format version 0x01. */
    private static final byte[] MAGIC = magic();

    private SegmentFiles() {}

    private static byte[] magic() {
        byte[] magic = Arrays.copyOf("IDLSEG".getBytes(StandardCharsets.US_ASCII), 8);
        magic[7] = 0x01;
        return magic;
    }

    static Path segmentPath(Path directory, long firstLeafIndex) {
        return directory.resolve(name(firstLeafIndex) + SEGMENT_SUFFIX);
    }

    static Path positionPath(Path directory, long firstLeafIndex) {
        return directory.resolve(name(firstLeafIndex) + POSITION_SUFFIX);
    }

    private static String name(long firstLeafIndex) {
        return String.format("%0" + NAME_DIGITS + "d", firstLeafIndex);
    }

    /** The first leaf index a {@code .seg} file name encodes, if it is one. */
    static OptionalLong parseSegmentName(Path file) {
        String name = file.getFileName().toString();
        if (name.length() != NAME_DIGITS + SEGMENT_SUFFIX.length() || !name.endsWith(SEGMENT_SUFFIX)) {
            return OptionalLong.empty();
        }
        String digits = name.substring(0, NAME_DIGITS);
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(digits));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    static ByteBuffer header(long firstLeafIndex) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.put(MAGIC).putLong(firstLeafIndex).flip();
        return header;
    }

    /** Why {@code header} is not the header of a segment starting at {@code firstLeafIndex}; null if it is. */
    static String headerProblem(ByteBuffer header, long firstLeafIndex) {
        if (header.remaining() < HEADER_BYTES) {
            return "header of " + header.remaining() + " bytes, want " + HEADER_BYTES;
        }
        byte[] magic = new byte[MAGIC.length];
        header.duplicate().get(magic);
        if (!Arrays.equals(magic, 0, 7, MAGIC, 0, 7)) {
            return "bad magic " + java.util.HexFormat.of().formatHex(magic);
        }
        if (magic[7] != MAGIC[7]) {
            return "format version " + magic[7] + ", want " + MAGIC[7];
        }
        long first = header.getLong(header.position() + 8);
        if (first != firstLeafIndex) {
            return "header first leaf index " + first + ", file name says " + firstLeafIndex;
        }
        return null;
    }
}
