package dev.indelible.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.indelible.storage.io.FaultyFileIO;
import dev.indelible.storage.io.FileIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Model-based: random append / sync / crash / torn-write / reopen sequences against an in-memory
 * list, with segments small enough to roll every few batches. Invariant after every crash: every
 * record covered by a successful sync is present and byte-identical, and the store holds a prefix
 * of what was appended. jqwik prints the seed of a failing run; rerun with {@code @Property(seed=…)}.
 */
class SegmentStoreModelTest {
    @Property(tries = 100)
    void crashesNeverLoseSyncedRecordsAndLeaveAPrefix(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 99) Integer> operations, @ForAll long seed)
            throws Exception {
        Path dir = Files.createTempDirectory("segment-model");
        try {
            run(dir, operations, seed);
        } finally {
            deleteRecursively(dir);
        }
    }

    private static void run(Path dir, List<Integer> operations, long seed) throws Exception {
        Random random = new Random(seed);
        FaultyFileIO io = new FaultyFileIO(seed);
        SegmentOptions options = SegmentStoreTest.SMALL;
        List<byte[]> model = new ArrayList<>();
        long durable = 0;
        SegmentStore store = SegmentStore.open(dir, io, options);
        boolean failed = false;
        for (int op : operations) {
            if (op < 50) {
                List<byte[]> batch = batch(random, 1 + op % 12);
                if (!failed) {
                    store.append(batch);
                    model.addAll(batch);
                }
            } else if (op < 70) {
                if (!failed) {
                    store.sync();
                    durable = model.size();
                }
            } else if (op < 92) {
                if (op >= 85 && !failed) {
                    io.tearWriteAfter(random.nextInt(2000));
                    List<byte[]> batch = batch(random, 1 + op % 12);
                    try {
                        store.append(batch);
                        model.addAll(batch);
                    } catch (dev.indelible.storage.StorageFailedException e) {
                        model.addAll(batch); // a prefix of it may survive
                    }
                    durable = Math.max(durable, store.durableSize());
                }
                store.close();
                io.simulateCrash();
                store = SegmentStore.open(dir, io, options);
                check(store, model, durable);
                model.subList((int) store.size(), model.size()).clear();
                durable = model.size();
                failed = false;
            } else {
                store.close();
                store = SegmentStore.open(dir, io, options);
                failed = store.corruption().isPresent();
                check(store, model, durable);
                model.subList((int) store.size(), model.size()).clear();
            }
        }
        store.close();
        assertThat(SegmentStore.verify(dir, FileIO.posix()).corruption()).isEmpty();
    }

    private static void check(SegmentStore store, List<byte[]> model, long durable) {
        assertThat(store.corruption()).as("corruption after crash").isEmpty();
        assertThat(store.size()).as("size").isBetween(durable, (long) model.size());
        for (int i = 0; i < store.size(); i++) {
            assertThat(store.read(i)).as("leaf %d", i).isEqualTo(model.get(i));
        }
    }

    private static List<byte[]> batch(Random random, int count) {
        List<byte[]> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] entry = new byte[1 + random.nextInt(600)];
            random.nextBytes(entry);
            batch.add(entry);
        }
        return batch;
    }

    private static void deleteRecursively(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
