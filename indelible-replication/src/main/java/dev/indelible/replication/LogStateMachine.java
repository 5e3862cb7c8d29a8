package dev.indelible.replication;

import dev.indelible.log.LogName;
import dev.indelible.storage.io.FileIO;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of a node: decodes each committed {@link Command} and applies it to its
 * log's {@link RaftSequencer}, creating the log on first use. Ratis calls {@link #applyTransaction}
 * from one thread, in Raft log order, on every replica; nothing here reads a clock or randomness.
 *
 * <p>A command this replica cannot decode or apply for reasons outside one log (a bug, a log that
 * cannot be created) stops the whole node: it records the failure (health down) and fails the
 * transaction, rather than apply later commands over a hole.
 */
final class LogStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(LogStateMachine.class);

    private final Function<LogName, RaftSequencer> sequencers;
    private final Supplier<Collection<RaftSequencer>> allSequencers;
    private final FileIO io;
    private final SimpleStateMachineStorage snapshots = new SimpleStateMachineStorage();
    private volatile String failure;
    private volatile Consumer<Set<String>> membersListener = members -> {};

    /**
     * @param sequencers the sequencer of a log, created (durably) if the log does not exist yet
     * @param allSequencers every log's sequencer, for snapshots
     */
    LogStateMachine(Function<LogName, RaftSequencer> sequencers, Supplier<Collection<RaftSequencer>> allSequencers, FileIO io) {
        this.sequencers = sequencers;
        this.allSequencers = allSequencers;
        this.io = io;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        snapshots.init(raftStorage);
        restoreLatestSnapshot();
    }

    @Override
    public void reinitialize() throws IOException {
        restoreLatestSnapshot();
    }

    private void restoreLatestSnapshot() throws IOException {
        SingleFileSnapshotInfo latest = snapshots.loadLatestSnapshot();
        if (latest == null) {
            return;
        }
        SnapshotFile.Contents contents = SnapshotFile.read(latest.getFile().getPath());
        for (SnapshotFile.LogState state : contents.logs()) {
            sequencers.apply(state.log()).restore(state);
        }
        setLastAppliedTermIndex(TermIndex.valueOf(contents.term(), contents.index()));
        LOG.info("restored snapshot at raft index {} ({} logs)", contents.index(), contents.logs().size());
    }

    /**
     * Writes the replicated state as of the last applied entry (Ratis calls this between applies),
     * so the Raft log behind it can be purged and a restart need not replay from the start.
     */
    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0 || failure != null) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        List<SnapshotFile.LogState> logs = new ArrayList<>();
        for (RaftSequencer sequencer : allSequencers.get()) {
            logs.add(sequencer.snapshotState());
        }
        logs.sort(Comparator.comparing(state -> state.log().value()));
        File file = snapshots.getSnapshotFile(last.getTerm(), last.getIndex());
        SnapshotFile.write(file.toPath(), new SnapshotFile.Contents(last.getTerm(), last.getIndex(), logs), io);
        MD5Hash digest = MD5FileUtil.computeAndSaveMd5ForFile(file);
        snapshots.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), digest), last));
        LOG.info("snapshot at raft index {} ({} logs)", last.getIndex(), logs.size());
        return last.getIndex();
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return snapshots;
    }

    /** Told the member ids of each Raft configuration entry as it is applied (in Raft order). */
    void onMembers(Consumer<Set<String>> listener) {
        this.membersListener = listener;
    }

    /**
     * Ratis calls this on the apply thread when it applies a configuration entry, in Raft log order
     * with the transactions, so every replica switches its cosignature quorum at the same index.
     */
    @Override
    public void notifyConfigurationChanged(long term, long index, RaftConfigurationProto newConf) {
        Set<String> ids = new TreeSet<>();
        newConf.getPeersList().forEach(peer -> ids.add(peer.getId().toStringUtf8()));
        LOG.info("raft configuration at index {}: members {}", index, ids);
        membersListener.accept(Set.copyOf(ids));
    }

    /** Why this node stopped applying, if it did. */
    String failure() {
        return failure;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        if (failure != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("node stopped: " + failure));
        }
        Reply reply;
        try {
            Command command = Command.decode(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
            RaftSequencer sequencer = sequencers.apply(command.log());
            reply = switch (command) {
                case Command.Append append -> sequencer.applyAppend(append);
                case Command.Seal seal -> sequencer.applySeal(seal.treeSize(), seal.root());
                case Command.Cosign cosign -> sequencer.applyCosign(cosign);
            };
        } catch (RuntimeException e) {
            failure = "could not apply raft entry " + entry.getIndex() + ": " + e;
            LOG.error("node stopped (fail-stop): {}", failure, e);
            return CompletableFuture.failedFuture(e);
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply.encode())));
    }
}
