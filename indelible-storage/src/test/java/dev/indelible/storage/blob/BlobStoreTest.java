package dev.indelible.storage.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.storage.CorruptionException;
import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FaultyFileIO;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.io.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {
    @TempDir
    Path dir;

    private static byte[] body(int seed) {
        byte[] body = new byte[100_000];
        new Random(seed).nextBytes(body);
        return body;
    }

    @Test
    void putStoresBodyUnderItsDigestAndGetReturnsIt() throws Exception {
        try (BlobStore blobs = BlobStore.open(dir, FileIO.posix())) {
            Hash digest = blobs.put(body(1));
            assertThat(digest).isEqualTo(Rfc9162.sha256(body(1)));
            Path file = dir.resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
            assertThat(file).exists();
            assertThat(TestFiles.hasWritePermission(file)).isFalse();
            assertThat(blobs.get(digest)).hasValueSatisfying(b -> assertThat(b).isEqualTo(body(1)));
            assertThat(blobs.put(body(1))).isEqualTo(digest);
            assertThat(blobs.get(Rfc9162.sha256(body(2)))).isEmpty();
            try (var shard = Files.list(file.getParent())) {
                assertThat(shard).containsExactly(file);
            }
        }
    }

    @Test
    void getRefusesBytesThatDoNotMatchTheDigest() throws Exception {
        try (BlobStore blobs = BlobStore.open(dir, FileIO.posix())) {
            Hash digest = blobs.put(body(3));
            TestFiles.flipByte(dir.resolve(digest.hex().substring(0, 2)).resolve(digest.hex()), 5000);
            assertThatThrownBy(() -> blobs.get(digest))
                    .isInstanceOf(CorruptionException.class)
                    .hasMessageContaining("want " + digest.hex());
        }
    }

    @Test
    void failedRenameFailsTheStoreAndLeavesNoBlob() throws Exception {
        FaultyFileIO io = new FaultyFileIO(5);
        try (BlobStore blobs = BlobStore.open(dir, io)) {
            io.failNextMove();
            assertThatThrownBy(() -> blobs.put(body(4))).isInstanceOf(StorageFailedException.class);
            assertThat(blobs.get(Rfc9162.sha256(body(4)))).isEmpty();
            assertThatThrownBy(() -> blobs.put(body(5))).isInstanceOf(StorageFailedException.class);
        }
        try (BlobStore blobs = BlobStore.open(dir, FileIO.posix())) {
            Hash digest = blobs.put(body(4));
            assertThat(blobs.get(digest)).isPresent();
        }
    }

    @Test
    void putRejectsEmptyAndOversizeBodies() throws Exception {
        try (BlobStore blobs = BlobStore.open(dir, FileIO.posix())) {
            assertThatThrownBy(() -> blobs.put(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
