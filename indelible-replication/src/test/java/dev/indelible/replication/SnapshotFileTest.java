package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.note.NoteSignature;
import dev.indelible.log.LogName;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {
    @TempDir
    Path dir;

    private static SnapshotFile.Contents sample() {
        LinkedHashMap<String, Long> ids = new LinkedHashMap<>();
        ids.put("req-2", 9L);
        ids.put("req-1", 4L);
        LinkedHashMap<String, NoteSignature> cosignatures = new LinkedHashMap<>();
        cosignatures.put("n2", NoteSignature.of("c.test/node/n2", 7, new byte[72]));
        byte[] root = new byte[32];
        root[0] = 1;
        SnapshotFile.PendingState pending = new SnapshotFile.PendingState(
                10, Hash.of(root, 0), "c.test/audit\n10\nAQ==\n\n— c.test/audit AAAA\n".getBytes(StandardCharsets.UTF_8),
                cosignatures);
        return new SnapshotFile.Contents(3, 42, List.of(
                new SnapshotFile.LogState(new LogName("audit"), 10, 8, Optional.of(Hash.of(root, 0)), ids, Optional.of(pending)),
                new SnapshotFile.LogState(LogName.system("_access"), 0, 0, Optional.empty(), new LinkedHashMap<>(), Optional.empty())));
    }

    @Test
    void roundTripsEveryFieldInOrder() throws IOException {
        Path file = dir.resolve("snapshot.3_42");
        SnapshotFile.write(file, sample(), FileIO.posix());
        SnapshotFile.Contents read = SnapshotFile.read(file);
        assertThat(read.term()).isEqualTo(3);
        assertThat(read.index()).isEqualTo(42);
        SnapshotFile.LogState audit = read.logs().get(0);
        assertThat(audit.appliedTreeSize()).isEqualTo(10);
        assertThat(audit.checkpointTreeSize()).isEqualTo(8);
        assertThat(audit.appliedRoot()).isEqualTo(sample().logs().get(0).appliedRoot());
        assertThat(read.logs().get(1).appliedRoot()).isEmpty();
        assertThat(audit.recentIds().keySet()).containsExactly("req-2", "req-1");
        SnapshotFile.PendingState pending = audit.pending().orElseThrow();
        assertThat(pending.logSignedNote()).isEqualTo(sample().logs().get(0).pending().orElseThrow().logSignedNote());
        assertThat(pending.cosignatures()).containsEntry("n2", NoteSignature.of("c.test/node/n2", 7, new byte[72]));
        assertThat(read.logs().get(1).log()).isEqualTo(LogName.system("_access"));
        assertThat(Files.exists(dir.resolve("snapshot.3_42.tmp"))).isFalse();
    }

    @Test
    void aFlippedByteOrATruncationIsRefused() throws IOException {
        Path file = dir.resolve("snapshot.3_42");
        SnapshotFile.write(file, sample(), FileIO.posix());
        byte[] bytes = Files.readAllBytes(file);
        for (int at : new int[] {0, 12, bytes.length / 2, bytes.length - 1}) {
            byte[] flipped = bytes.clone();
            flipped[at] ^= 0x10;
            Files.write(file, flipped);
            assertThatThrownBy(() -> SnapshotFile.read(file)).as("flip at %d", at).isInstanceOf(IOException.class);
        }
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        assertThatThrownBy(() -> SnapshotFile.read(file)).isInstanceOf(IOException.class);
    }
}
