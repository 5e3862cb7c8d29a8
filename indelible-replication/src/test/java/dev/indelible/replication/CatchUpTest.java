package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.log.AuditLogs;
import dev.indelible.log.Leaf;
import dev.indelible.log.LogApplier;
import dev.indelible.log.LogConfig;
import dev.indelible.log.LogName;
import dev.indelible.log.RecentIds;
import dev.indelible.log.envelope.EnvelopeWriter;
import dev.indelible.log.envelope.PreparedEntry;
import dev.indelible.log.envelope.Source;
import dev.indelible.storage.io.FileIO;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot install of one log between two data directories in this JVM, the leader answering
 * through {@link CatchUp#answer} as it does over Raft: detached bodies travel with their entries.
 */
class CatchUpTest {
    private static final LogName LOG = new LogName("audit");
    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T05:41:17Z");

    @TempDir
    Path dir;

    private final List<AuditLogs> opened = new ArrayList<>();
    private final EnvelopeWriter writer = new EnvelopeWriter();

    @AfterEach
    void closeLogs() {
        opened.forEach(AuditLogs::close);
    }

    @Test
    void installFetchesEachMissingBodyOnceBeforeTheLeafThatNamesIt() throws IOException {
        LogApplier leader = open("leader");
        LogApplier follower = open("follower");
        PreparedEntry medium = large('m', 70_000);
        PreparedEntry paged = large('p', CatchUp.REPLY_MAX_BYTES + 1_000);
        PreparedEntry held = large('h', 80_000);
        List<PreparedEntry> entries = List.of(small(0), medium, small(1), paged, held, small(2));
        for (PreparedEntry entry : entries) {
            append(leader, entry);
        }
        PreparedEntry again = large('m', 70_000); // the same body, named by a second leaf
        append(leader, again);
        follower.putBody(held.detachedBody().orElseThrow().bytes());

        List<String> fetched = new ArrayList<>();
        CatchUp.install(stateOf(leader), follower, request -> {
            if (request[0] == CatchUp.BODY) {
                Hash digest = Hash.of(request, request.length - 4 - Hash.SIZE);
                fetched.add(digest.hex().substring(0, 8) + " at tree size "
                        + follower.head().treeSize());
            }
            return answer(leader, request);
        });

        assertThat(follower.head()).isEqualTo(leader.head());
        for (long i = 0; i < leader.head().treeSize(); i++) {
            assertThat(follower.entry(i)).isEqualTo(leader.entry(i));
        }
        for (PreparedEntry entry : List.of(medium, paged, held)) {
            PreparedEntry.DetachedBody body = entry.detachedBody().orElseThrow();
            assertThat(follower.body(body.sha256()))
                    .hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(body.bytes()));
        }
        // Leaves 1 and 3 are in the first batch (tree size 0 when fetched); the held body and the
        // repeated one are not fetched; the paged body takes two queries.
        String m = medium.detachedBody().orElseThrow().sha256().hex().substring(0, 8);
        String p = paged.detachedBody().orElseThrow().sha256().hex().substring(0, 8);
        assertThat(fetched).containsExactly(m + " at tree size 0", p + " at tree size 0", p + " at tree size 0");
    }

    @Test
    void aBodyTheLeaderLacksStopsTheInstallBeforeItsLeaf() throws IOException {
        LogApplier leader = open("leader");
        LogApplier follower = open("follower");
        append(leader, small(0));
        PreparedEntry lost = large('l', 70_000);
        leader.append(List.of(Leaf.of(lost.leafBytes()))); // the leaf without its body

        assertThatThrownBy(() -> CatchUp.install(stateOf(leader), follower, request -> answer(leader, request)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("the leader has no detached body sha256:"
                        + lost.detachedBody().orElseThrow().sha256().hex())
                .hasMessageContaining("named by leaf 1");
        assertThat(follower.head().treeSize())
                .as("nothing of the batch naming the body appended")
                .isZero();
    }

    @Test
    void aBodyThatHashesOtherwiseStopsTheInstallAndIsNotStored() throws IOException {
        LogApplier leader = open("leader");
        LogApplier follower = open("follower");
        PreparedEntry entry = large('x', 70_000);
        append(leader, entry);
        Hash digest = entry.detachedBody().orElseThrow().sha256();

        assertThatThrownBy(() -> CatchUp.install(stateOf(leader), follower, request -> {
                    byte[] reply = answer(leader, request);
                    if (request[0] == CatchUp.BODY) {
                        reply[reply.length - 1] ^= 1;
                    }
                    return reply;
                }))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("detached body sha256:" + digest.hex())
                .hasMessageContaining("hashes to sha256:");
        assertThat(follower.body(digest)).isEmpty();
        assertThat(follower.head().treeSize()).isZero();
    }

    @Test
    void theLeaderPagesABodyLargerThanOneReply() throws IOException {
        LogApplier leader = open("leader");
        byte[] body = large('q', CatchUp.REPLY_MAX_BYTES + 5)
                .detachedBody()
                .orElseThrow()
                .bytes();
        Hash digest = leader.putBody(body);

        DataInputStream first = reply(leader, CatchUp.bodyQuery(LOG, digest, 0));
        DataInputStream second = reply(leader, CatchUp.bodyQuery(LOG, digest, CatchUp.REPLY_MAX_BYTES));
        DataInputStream missing = reply(leader, CatchUp.bodyQuery(LOG, Hash.of(new byte[Hash.SIZE], 0), 0));

        assertThat(first.readBoolean()).isTrue();
        assertThat(first.readInt()).isEqualTo(body.length);
        assertThat(first.readInt()).isEqualTo(CatchUp.REPLY_MAX_BYTES);
        assertThat(second.readBoolean()).isTrue();
        assertThat(second.readInt()).isEqualTo(body.length);
        assertThat(second.readInt()).isEqualTo(body.length - CatchUp.REPLY_MAX_BYTES);
        assertThat(missing.readBoolean()).isFalse();
        assertThatThrownBy(() -> answer(leader, CatchUp.bodyQuery(LOG, digest, body.length)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("outside");
    }

    private LogApplier open(String node) throws IOException {
        AtomicReference<LogApplier> applier = new AtomicReference<>();
        AuditLogs.Settings settings = new AuditLogs.Settings(
                dir.resolve(node),
                LocalCluster.ORIGIN_HOST,
                LocalCluster::signer,
                LogConfig.defaults(),
                Clock.systemUTC());
        AuditLogs logs = AuditLogs.open(settings, FileIO.posix(), log -> {
            applier.set(log);
            return LocalCluster.standaloneSequencer(log, Set.of());
        });
        opened.add(logs);
        logs.getOrCreate(LOG);
        return applier.get();
    }

    private static byte[] answer(LogApplier leader, byte[] request) throws IOException {
        return CatchUp.answer(
                request, name -> name.equals(LOG) ? Optional.of(leader) : Optional.empty(), Optional.empty());
    }

    private static DataInputStream reply(LogApplier leader, byte[] request) throws IOException {
        return new DataInputStream(new ByteArrayInputStream(answer(leader, request)));
    }

    /** The leader's state as its snapshot would record it. */
    private static SnapshotFile.LogState stateOf(LogApplier leader) {
        long size = leader.head().treeSize();
        return new SnapshotFile.LogState(
                LOG, size, 0, Optional.of(leader.rootHash(size)), new RecentIds(), Optional.empty());
    }

    /** Appends an entry as a normal apply does: its body first. */
    private static void append(LogApplier log, PreparedEntry entry) throws IOException {
        if (entry.detachedBody().isPresent()) {
            log.putBody(entry.detachedBody().get().bytes());
        }
        log.append(List.of(Leaf.of(entry.leafBytes())));
    }

    private PreparedEntry small(int i) {
        return writer.prepare(JsonNodeFactory.instance.objectNode().put("i", i), RECEIVED_AT, Source.http("127.0.0.1"));
    }

    /** An event detached from its leaf: its canonical form is about {@code size} bytes. */
    private static PreparedEntry large(char fill, int size) {
        PreparedEntry entry = LocalCluster.largeEvent("large", fill, size);
        assertThat(new String(entry.leafBytes(), StandardCharsets.UTF_8)).startsWith("{\"eventDigest\":\"sha256:");
        return entry;
    }
}
