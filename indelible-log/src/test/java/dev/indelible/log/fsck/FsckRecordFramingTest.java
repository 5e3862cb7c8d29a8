package dev.indelible.log.fsck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FsckRecordFramingTest {
    @TempDir
    Path directory;

    private static byte[] record(byte[] payload, boolean goodCrc) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        int value = (int) crc.getValue() ^ (goodCrc ? 0 : 1);
        return ByteBuffer.allocate(8 + payload.length)
                .putInt(payload.length)
                .putInt(value)
                .put(payload)
                .array();
    }

    /** Two good records, then {@code tail}, described as in storage-format.md §Recovery. */
    private static byte[] file(String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(record("one".getBytes(), true));
        out.writeBytes(record("two".getBytes(), true));
        switch (tail) {
            case "none" -> {}
            case "short-header" -> out.writeBytes(new byte[] {0, 0, 0});
            case "runs-past-end" ->
                out.writeBytes(ByteBuffer.allocate(12).putInt(100).putInt(7).array());
            case "bad-crc-last" -> out.writeBytes(record("three".getBytes(), false));
            case "bad-crc-then-zeros" -> {
                out.writeBytes(record("three".getBytes(), false));
                out.writeBytes(new byte[64]);
            }
            case "bad-crc-then-data" -> {
                out.writeBytes(record("three".getBytes(), false));
                out.writeBytes(record("four".getBytes(), true));
            }
            case "zeros" -> out.writeBytes(new byte[40]);
            case "zero-length-then-data" -> {
                out.writeBytes(new byte[8]);
                out.writeBytes(record("four".getBytes(), true));
            }
            case "over-limit" ->
                out.writeBytes(ByteBuffer.allocate(16).putInt(1 << 30).putInt(7).array());
            default -> throw new IllegalArgumentException(tail);
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "none, CLEAN",
        "short-header, TORN",
        "runs-past-end, TORN",
        "bad-crc-last, TORN",
        "bad-crc-then-zeros, TORN",
        "zeros, TORN",
        "bad-crc-then-data, CORRUPT",
        "zero-length-then-data, CORRUPT",
        "over-limit, CORRUPT"
    })
    void firstInvalidRecordIsClassifiedByTheRecoveryRule(String tail, FramedRecords.End want) throws Exception {
        Path file = directory.resolve("records");
        Files.write(file, file(tail));
        try (FramedRecords records = FramedRecords.open(file, 0, 1 << 20)) {
            assertThat(new String(records.next())).isEqualTo("one");
            assertThat(new String(records.next())).isEqualTo("two");
            assertThat(records.next()).isNull();
            assertThat(records.end()).isEqualTo(want);
            assertThat(records.offset()).isEqualTo(22);
        }
    }
}
