package dev.indelible.replication;

import dev.indelible.log.LogName;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
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
    private final SimpleStateMachineStorage snapshots = new SimpleStateMachineStorage();
    private volatile String failure;

    /** @param sequencers the sequencer of a log, created (durably) if the log does not exist yet */
    LogStateMachine(Function<LogName, RaftSequencer> sequencers) {
        this.sequencers = sequencers;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        snapshots.init(raftStorage);
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return snapshots;
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
                case Command.Append append -> sequencer.applyAppend(append.entries());
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
