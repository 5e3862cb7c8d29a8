package dev.indelible.log.envelope;

/**
 * Strict UTF-8 validation by the well-formed byte sequences of The Unicode Standard §3.9, Table
 * 3-7: rejects overlong forms (C0 80), encoded surrogates (ED A0 80), code points above U+10FFFF,
 * stray continuation bytes, truncated sequences and the bytes C0, C1, F5..FF.
 *
 * <p>The whole body is checked before parsing. A hand-written loop avoids decoding into a char
 * buffer the size of the body, and skips runs of ASCII eight bytes at a time.
 */
final class StrictUtf8 {
    private StrictUtf8() {}

    /** Offset of the first byte of the first ill-formed sequence in {@code bytes}, or -1. */
    static int firstInvalidOffset(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        int lastWord = n - Long.BYTES;
        while (i < n) {
            if (i <= lastWord && ((long) CanonicalReader.LONGS.get(bytes, i) & CanonicalReader.HIGHS) == 0) {
                i += Long.BYTES; // eight ASCII bytes
                continue;
            }
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            b &= 0xFF;
            int length;
            int min2 = 0x80;
            int max2 = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                if (b == 0xE0) {
                    min2 = 0xA0; // below is overlong
                } else if (b == 0xED) {
                    max2 = 0x9F; // above encodes a surrogate
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                if (b == 0xF0) {
                    min2 = 0x90; // below is overlong
                } else if (b == 0xF4) {
                    max2 = 0x8F; // above is beyond U+10FFFF
                }
            } else {
                return i;
            }
            if (i + length > n) {
                return i;
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < min2 || second > max2) {
                return i;
            }
            for (int j = 2; j < length; j++) {
                if ((bytes[i + j] & 0xC0) != 0x80) {
                    return i;
                }
            }
            i += length;
        }
        return -1;
    }
}
