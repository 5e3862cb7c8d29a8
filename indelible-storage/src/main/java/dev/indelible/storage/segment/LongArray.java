package dev.indelible.storage.segment;

import java.util.Arrays;

/** A growable array of longs, to collect offsets without boxing. Not thread-safe. */
final class LongArray {
    private long[] values = new long[1024];
    private int size;

    void add(long value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    int size() {
        return size;
    }

    long get(int i) {
        return values[i];
    }

    /** The backing array (its first {@link #size()} slots are valid). */
    long[] array() {
        return values;
    }
}
