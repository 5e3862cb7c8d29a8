package dev.indelible.replication;

import dev.indelible.log.LogName;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of a node: decodes each committed {@link Command} and applies it to its
 * log's {@link RaftSequencer}, creating the log on first use, or, for a token command, to the
 * cluster's {@link TokenRegistry}. Ratis calls {@link #applyTransaction} from one thread, in Raft
 * log order, on every replica; nothing here reads a clock or randomness.
 *
 * <p>A command this replica cannot decode or apply for reasons outside one log (a bug, a log that
 * cannot be created) stops the whole node: it records the failure (health down) and fails the
 * transaction, rather than apply later commands over a hole.
 */
final class LogStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(LogStateMachine.class);

    private final Function<LogName, RaftSequencer> sequencers;
    private final Function<LogName, RaftSequencer> existing;
    private final Supplier<Collection<RaftSequencer>> allSequencers;
    private final FileIO io;
    private final TokenRegistry tokens;
    /** Futures waiting for this node to apply a Raft index, by index; completed as it is applied. */
    private final java.util.concurrent.ConcurrentSkipListMap<Long, CompletableFuture<Void>> appliedWaiters =
            new java.util.concurrent.ConcurrentSkipListMap<>();

    private volatile BiFunctionIO leader;
    private volatile Function<RaftClientRequest, Command> ownProposals = request -> null;
    private final AtomicLong ownCommandsApplied = new AtomicLong();

    /** Sends a catch-up query to the named peer (the leader). */
    @FunctionalInterface
    interface BiFunctionIO {
        byte[] query(String peerId, byte[] request) throws IOException;
    }

    private final ScheduledExecutorService installer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("snapshot-install").daemon(true).factory());
    private final InstallFinisher installFinisher =
            new InstallFinisher(() -> getServer().getNow(null), this::getGroupId, installer);
    private final SimpleStateMachineStorage snapshots = new SimpleStateMachineStorage();
    private volatile String failure;
    private volatile Consumer<Set<String>> membersListener = members -> {};
    /**
     * The members of the last Raft configuration Ratis notified or a loaded snapshot recorded, by
     * id; written into every snapshot taken.
     */
    private volatile List<SnapshotFile.Member> appliedMembers = List.of();

    private volatile boolean adoptLocalLogs;
    private final AtomicLong bytesSinceSnapshot = new AtomicLong();
    private final AtomicBoolean snapshotRequested = new AtomicBoolean();
    /** How long {@link #close} waits for a snapshot being written. */
    private static final Duration CLOSE_SNAPSHOT_WAIT = Duration.ofSeconds(30);
    /** Writes snapshots captured on the apply thread ({@link #takeSnapshot}). */
    private final ExecutorService snapshotWriter = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("snapshot-writer").daemon(true).factory());
    /** The snapshot write in flight or the last one (apply thread; joined by pause, reload and close). */
    private volatile CompletableFuture<Void> snapshotWrite = CompletableFuture.completedFuture(null);
    /** The latest durable snapshot index {@link #takeSnapshot} returned to Ratis (apply thread). */
    private long reportedSnapshotIndex = RaftLog.INVALID_LOG_INDEX;

    private volatile long snapshotEveryBytes = Long.MAX_VALUE;
    private volatile long catchUpAnswerDelayMillis;
    /** For tests: while set, applying an entry waits until it opens ({@link #holdApplies}). */
    private volatile java.util.concurrent.CountDownLatch applyGate;

    private volatile Runnable snapshotRequest = () -> {};

    /**
     * @param sequencers the sequencer of a log, created (durably) if the log does not exist yet
     * @param existing the sequencer of a log this node has, or null (creates nothing)
     * @param allSequencers every log's sequencer, for snapshots
     * @param tokens where this node stores the replicated access-control tokens
     */
    LogStateMachine(
            Function<LogName, RaftSequencer> sequencers,
            Function<LogName, RaftSequencer> existing,
            Supplier<Collection<RaftSequencer>> allSequencers,
            FileIO io,
            ReplicatedTokens tokens) {
        this.sequencers = sequencers;
        this.existing = existing;
        this.allSequencers = allSequencers;
        this.io = io;
        this.tokens = new TokenRegistry(tokens);
    }

    /**
     * This node founds a cluster on a single-node data directory: on the first start (no snapshot
     * yet) the logs already stored become the replicated state, written as the initial snapshot.
     */
    void adoptLocalLogs() {
        this.adoptLocalLogs = true;
    }

    /**
     * Asks for a snapshot (through {@code request}, which must not block) once the Raft entries
     * applied since the last one reach {@code bytes}: so each purge behind a snapshot deletes a
     * bounded number of Raft log segments, whatever the size of the entries.
     */
    void snapshotEveryBytes(long bytes, Runnable request) {
        this.snapshotEveryBytes = bytes;
        this.snapshotRequest = request;
    }

    /** The snapshot asked for has been taken or refused: a later apply may ask again. */
    void snapshotRequestDone() {
        snapshotRequested.set(false);
    }

    /**
     * How this node finds the command behind one of its own requests to its Raft server (set before
     * the server starts; {@code null} for any other request): see {@link #startTransaction}.
     */
    void ownProposals(Function<RaftClientRequest, Command> lookup) {
        this.ownProposals = lookup;
    }

    /**
     * Attaches to a request this node submitted to itself while leading the command it was encoded
     * from, so that {@link #applyTransaction} on this node applies that object instead of expanding
     * and decoding the entry: the same bytes, already in hand. Every other replica — and this one
     * after a restart or a lost lead, when Ratis makes a new transaction from the log entry — decodes.
     */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        TransactionContext trx = super.startTransaction(request);
        Command own = ownProposals.apply(request);
        if (own != null) {
            trx.setStateMachineContext(own);
        }
        return trx;
    }

    /** Entries applied from the command this node proposed, without decoding ({@link #startTransaction}). */
    long ownCommandsApplied() {
        return ownCommandsApplied.get();
    }

    /** How this node reaches the leader for a snapshot install (set before the server starts). */
    void leader(BiFunctionIO leader) {
        this.leader = leader;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        snapshots.init(raftStorage);
        if (adoptLocalLogs && snapshots.loadLatestSnapshot() == null) {
            writeAdoptionSnapshot();
        }
        restoreLatestSnapshot();
    }

    /**
     * Writes the snapshot that seeds a cluster with the logs of a single-node data directory: at
     * Raft term 0, index 0 (before the first Raft entry), per log the stored tree size as applied,
     * its root and its latest checkpoint's tree size. The Raft log then starts after it, so the logs
     * are extended where they end, and a joining node installs this snapshot (fetching the entries
     * and the unchanged checkpoints from the leader).
     */
    private void writeAdoptionSnapshot() throws IOException {
        List<SnapshotFile.LogState> logs = new ArrayList<>();
        for (RaftSequencer sequencer : allSequencers.get()) {
            logs.add(sequencer.adoptedState());
        }
        logs.sort(Comparator.comparing(state -> state.log().value()));
        // No configuration has been applied before the first Raft entry: the members are not recorded.
        // The single node's tokens stay its own: none is replicated yet.
        storeSnapshot(new SnapshotFile.Contents(0, 0, List.of(), List.of(), logs));
        for (SnapshotFile.LogState state : logs) {
            LOG.info(
                    "adopted log {} of the single-node data directory at tree size {} (latest checkpoint {})",
                    state.log(),
                    state.appliedTreeSize(),
                    state.checkpointTreeSize());
        }
    }

    /** Ratis pauses the state machine before reloading it from an installed snapshot. */
    @Override
    public void pause() {
        awaitSnapshotWrite();
        LifeCycle life = getLifeCycle();
        if (life.getCurrentState() == LifeCycle.State.NEW) {
            life.transition(LifeCycle.State.STARTING);
            life.transition(LifeCycle.State.RUNNING);
        }
        life.transitionIfValid(LifeCycle.State.PAUSING);
        life.transitionIfValid(LifeCycle.State.PAUSED);
    }

    @Override
    public void reinitialize() throws IOException {
        awaitSnapshotWrite();
        restoreLatestSnapshot();
        LifeCycle life = getLifeCycle();
        if (life.getCurrentState() == LifeCycle.State.PAUSED) {
            life.transition(LifeCycle.State.STARTING);
            life.transition(LifeCycle.State.RUNNING);
        }
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
        tokens.restore(contents.tokens());
        if (!contents.members().isEmpty()) {
            // The configuration applied at the snapshot's index, which the Raft log after it may no
            // longer hold; Ratis's own recovered configuration may be a later, uncommitted one.
            appliedMembers = contents.members();
            membersListener.accept(memberIds(contents.members()));
        }
        setLastAppliedTermIndex(TermIndex.valueOf(contents.term(), contents.index()));
        completeAppliedWaiters(contents.index());
        LOG.info(
                "restored snapshot at raft index {} ({} logs, {} replicated tokens, members {})",
                contents.index(),
                contents.logs().size(),
                contents.tokens().size(),
                contents.members().isEmpty() ? "not recorded" : memberIds(contents.members()));
    }

    private static Set<String> memberIds(List<SnapshotFile.Member> members) {
        Set<String> ids = new TreeSet<>();
        members.forEach(member -> ids.add(member.id()));
        return Collections.unmodifiableSet(ids);
    }

    /**
     * Takes a snapshot of the replicated state as of the last applied entry, so the Raft log behind
     * it can be purged and a restart need not replay from the start. Ratis calls this on the apply
     * thread, between applies; it captures the state there (copies: a few ms) and writes the file
     * on {@link #snapshotWriter} (encode, temp file, fsync, rename, fsync the directory, MD5), which
     * took 0.1–1.3 s on the apply thread with 100,000 client ids per log (docs/BENCHMARKS.md,
     * session 9) and held every apply — and so every acknowledgement — that long.
     *
     * <p>Returns the index of a snapshot that became <em>durable</em> since the last call — what
     * Ratis then purges its log up to and records as its snapshot index — or -1 when there is none
     * (Ratis then purges nothing and logs nothing). So the Raft log is purged one snapshot later
     * than with a synchronous write. A call while a write is in flight captures nothing; a call
     * after one finished reports it (Ratis's own trigger asks again if a snapshot is still due)
     * unless a snapshot by bytes was asked for, which captures the next one.
     */
    @Override
    public long takeSnapshot() throws IOException {
        if (!snapshotWrite.isDone()) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        long durable = durableSnapshotIndex();
        if (durable > reportedSnapshotIndex && !snapshotRequested.get()) {
            return report(durable);
        }
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0 || failure != null || last.getIndex() <= durable) {
            return report(durable);
        }
        long started = System.nanoTime();
        List<SnapshotFile.LogState> logs = new ArrayList<>();
        for (RaftSequencer sequencer : allSequencers.get()) {
            Optional<SnapshotFile.LogState> state = sequencer.durableSnapshotState();
            if (state.isEmpty()) {
                // A stopped log's state is not trustworthy; Ratis asks again after later applies.
                return report(durable);
            }
            logs.add(state.get());
        }
        logs.sort(Comparator.comparing(state -> state.log().value()));
        SnapshotFile.Contents contents = new SnapshotFile.Contents(
                last.getTerm(), last.getIndex(), appliedMembers, tokens.snapshotState(), logs);
        long captureMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        long commandBytes = bytesSinceSnapshot.getAndSet(0);
        snapshotWrite = CompletableFuture.runAsync(
                () -> {
                    try {
                        writeSnapshot(last, contents, commandBytes, captureMillis);
                    } catch (IOException | RuntimeException e) {
                        LOG.error(
                                "snapshot at raft index {} not written (the Raft log stays until a later one is)",
                                last.getIndex(),
                                e);
                    }
                },
                snapshotWriter);
        return report(durable);
    }

    /**
     * What {@link #takeSnapshot} returns: {@code durable} the first time it is returned (Ratis then
     * purges behind it and logs it), -1 after that, so calls that take nothing new are silent.
     */
    private long report(long durable) {
        if (durable <= reportedSnapshotIndex) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        reportedSnapshotIndex = durable;
        return durable;
    }

    /** Writes a captured snapshot and makes it the latest (snapshot writer thread). */
    private void writeSnapshot(TermIndex last, SnapshotFile.Contents contents, long commandBytes, long captureMillis)
            throws IOException {
        long started = System.nanoTime();
        Path file = storeSnapshot(contents);
        LOG.info(
                "snapshot at raft index {} ({} logs, {} command bytes applied since the last; {} bytes;"
                        + " captured in {} ms on the apply thread, written in {} ms)",
                last.getIndex(),
                contents.logs().size(),
                commandBytes,
                Files.size(file),
                captureMillis,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Writes {@code contents} as the snapshot file of its term and index (atomically, fsync'd), its
     * MD5 beside it, and makes it the latest snapshot. Returns the file.
     */
    private Path storeSnapshot(SnapshotFile.Contents contents) throws IOException {
        TermIndex at = TermIndex.valueOf(contents.term(), contents.index());
        Path file = snapshots.getSnapshotFile(at.getTerm(), at.getIndex()).toPath();
        SnapshotFile.write(file, contents, io);
        MD5Hash digest = MD5FileUtil.computeAndSaveMd5ForFile(file.toFile());
        snapshots.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file, digest), at));
        return file;
    }

    /** The index of the latest snapshot written in full, or -1. */
    private long durableSnapshotIndex() {
        SingleFileSnapshotInfo latest = snapshots.getLatestSnapshot();
        return latest == null ? RaftLog.INVALID_LOG_INDEX : latest.getIndex();
    }

    /** Waits for a snapshot write in flight (before the state is reloaded or the machine closes). */
    private void awaitSnapshotWrite() {
        snapshotWrite.join();
    }

    /** Answers a follower's catch-up query ({@link CatchUp}) from this node's durable state. */
    @Override
    public CompletableFuture<Message> query(Message request) {
        try {
            SingleFileSnapshotInfo latest = snapshots.getLatestSnapshot();
            byte[] query = request.getContent().toByteArray();
            byte[] answer = CatchUp.answer(
                    query,
                    name -> Optional.ofNullable(existing.apply(name)).map(RaftSequencer::log),
                    Optional.ofNullable(latest).map(info -> info.getFile().getPath()));
            Message reply = Message.valueOf(ByteString.copyFrom(answer));
            long delay = catchUpAnswerDelayMillis;
            if (delay > 0 && !CatchUp.isBarrier(query)) {
                return CompletableFuture.supplyAsync(
                        () -> reply, CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
            }
            return CompletableFuture.completedFuture(reply);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * For tests: from now on this replica applies no entry (it still stores and acknowledges them)
     * until {@code gate} opens — as a replica whose apply thread is slow.
     */
    void holdApplies(java.util.concurrent.CountDownLatch gate) {
        this.applyGate = gate;
    }

    private void awaitApplyGate() {
        java.util.concurrent.CountDownLatch gate = applyGate;
        if (gate == null) {
            return;
        }
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests: this node answers catch-up queries (barriers excepted) {@code delay} late, as a slow link would. */
    void delayCatchUpAnswers(Duration delay) {
        this.catchUpAnswerDelayMillis = delay.toMillis();
    }

    /**
     * Ratis tells this follower that the leader has purged the Raft log it needs: fetch the leader's
     * latest snapshot and the entries and checkpoints it counts ({@link CatchUp}), store the snapshot
     * as this node's own, and answer its term and index; Ratis then reloads this state machine
     * ({@link #reinitialize}) from it and continues with the leader's log after it. Runs off the
     * Raft threads; the apply thread is idle meanwhile (this node has nothing left to apply).
     */
    @Override
    public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(
            RoleInfoProto roleInfo, TermIndex firstTermIndexInLog) {
        BiFunctionIO queries = leader;
        if (queries == null || failure != null || !roleInfo.hasFollowerInfo()) {
            return CompletableFuture.completedFuture(null);
        }
        String leaderId =
                roleInfo.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8();
        long notifiedTerm = currentTerm();
        CatchUp.Leader current = request -> {
            try {
                return queries.query(leaderId, request);
            } catch (IOException e) {
                throw new LeaderUnreachableException(leaderId, e);
            }
        };
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        TermIndex installed = installFromLeader(current, firstTermIndexInLog);
                        if (installed != null) {
                            installFinisher.watch(notifiedTerm, firstTermIndexInLog, installed);
                        }
                        return installed;
                    } catch (LeaderUnreachableException e) {
                        // Not this node's fault: Ratis forgets the install, and the next leader's
                        // notification starts another. What was fetched is committed data the
                        // next install or apply checks (CatchUp.install, RaftSequencer.applyAppend).
                        LOG.warn(
                                "snapshot install interrupted, to be started again by the next leader: {}",
                                e.getMessage());
                        throw new CompletionException(e);
                    } catch (IOException | RuntimeException e) {
                        failure = "snapshot install from the leader failed: " + e;
                        LOG.error("node stopped (fail-stop): {}", failure, e);
                        throw new CompletionException(e);
                    }
                },
                installer);
    }

    /** This node's current Raft term, or {@link Long#MAX_VALUE} if it cannot be read. */
    private long currentTerm() {
        RaftServer server = getServer().getNow(null);
        try {
            return server == null
                    ? Long.MAX_VALUE
                    : server.getDivision(getGroupId()).getInfo().getCurrentTerm();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** A catch-up query the leader did not answer: it stopped, or no longer leads. */
    private static final class LeaderUnreachableException extends IOException {
        private static final long serialVersionUID = 1L;

        LeaderUnreachableException(String leaderId, IOException cause) {
            super("catch-up query to " + leaderId + " failed: " + cause.getMessage(), cause);
        }
    }

    private TermIndex installFromLeader(CatchUp.Leader current, TermIndex firstInLog) throws IOException {
        byte[] bytes = current.query(CatchUp.snapshotQuery());
        if (bytes.length == 0) {
            LOG.warn("the leader has no snapshot to install");
            return null;
        }
        SnapshotFile.Contents contents = SnapshotFile.decode(bytes, "from the leader");
        if (contents.index() + 1 < firstInLog.getIndex()) {
            throw new IOException("the leader's snapshot at " + contents.index() + " is behind its first log index "
                    + firstInLog.getIndex());
        }
        LOG.info(
                "installing the leader's snapshot at raft index {} ({} logs)",
                contents.index(),
                contents.logs().size());
        for (SnapshotFile.LogState state : contents.logs()) {
            RaftSequencer sequencer = sequencers.apply(state.log());
            if (sequencer.log().failure().isPresent()) {
                throw new IOException("log " + state.log() + " stopped: "
                        + sequencer.log().failure().get());
            }
            sequencer.awaitStoredCheckpoints(); // the install stores checkpoints itself
            CatchUp.install(state, sequencer.log(), current);
        }
        // Once this install is reported done, Ratis waits for the leader's next notification to
        // complete it and refuses appends until then. So the leader must still answer now, after the
        // fetched entries and checkpoints are stored; if it stopped meanwhile, the install is
        // abandoned (its data kept) and the next leader starts over. If it stops after this answer,
        // the InstallFinisher completes the install once a later term's leader is known
        // (docs/design/replication.md, "Snapshot install").
        current.query(CatchUp.barrierQuery());
        storeSnapshot(contents);
        LOG.info("installed the leader's snapshot at raft index {}", contents.index());
        return TermIndex.valueOf(contents.term(), contents.index());
    }

    /**
     * Completes once this node has applied Raft index {@code index} (at once if it has); any thread.
     * Waiting is bounded by the caller; a future for an index never applied (the node stops) stays
     * incomplete.
     */
    CompletableFuture<Void> awaitApplied(long index) {
        if (appliedIndex() >= index) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = appliedWaiters.computeIfAbsent(index, at -> new CompletableFuture<>());
        completeAppliedWaiters(appliedIndex()); // the index may have been applied meanwhile
        return done;
    }

    private long appliedIndex() {
        TermIndex last = getLastAppliedTermIndex();
        return last == null ? -1 : last.getIndex();
    }

    private void completeAppliedWaiters(long applied) {
        if (appliedWaiters.isEmpty()) {
            return;
        }
        var reached = appliedWaiters.headMap(applied, true);
        for (Long index : List.copyOf(reached.keySet())) {
            CompletableFuture<Void> done = appliedWaiters.remove(index);
            if (done != null) {
                done.complete(null);
            }
        }
    }

    /** Ratis moves the applied index here for every entry, transactions and configuration entries alike. */
    @Override
    protected boolean updateLastAppliedTermIndex(TermIndex newTermIndex) {
        boolean updated = super.updateLastAppliedTermIndex(newTermIndex);
        completeAppliedWaiters(appliedIndex());
        return updated;
    }

    @Override
    public void close() throws IOException {
        installer.shutdownNow();
        try {
            snapshotWrite.get(CLOSE_SNAPSHOT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn(
                    "a snapshot still being written after {}: left unfinished (the previous one stays the latest)",
                    CLOSE_SNAPSHOT_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // the writer logged it
        }
        snapshotWriter.shutdownNow();
        super.close();
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return snapshots;
    }

    /**
     * Told the member ids of each Raft configuration entry as it is applied (in Raft order), and of
     * the configuration a loaded snapshot recorded as applied (on start and after an install).
     */
    void onMembers(Consumer<Set<String>> listener) {
        this.membersListener = listener;
    }

    /**
     * Ratis calls this on the apply thread when it applies a configuration entry, in Raft log order
     * with the transactions, so every replica switches its cosignature quorum at the same index. It
     * also calls it off the apply thread, with the leader's configuration, when this follower is told
     * to install a snapshot or first hears from the leader as a joining node; after an install the
     * reload ({@link #reinitialize}) then sets the member set the installed snapshot records.
     */
    @Override
    public void notifyConfigurationChanged(long term, long index, RaftConfigurationProto newConf) {
        List<SnapshotFile.Member> members = new ArrayList<>();
        newConf.getPeersList()
                .forEach(
                        peer -> members.add(new SnapshotFile.Member(peer.getId().toStringUtf8(), peer.getAddress())));
        members.sort(Comparator.comparing(SnapshotFile.Member::id));
        Set<String> ids = memberIds(members);
        LOG.info("raft configuration at index {}: members {}", index, ids);
        appliedMembers = List.copyOf(members);
        membersListener.accept(ids);
    }

    private Reply apply(Command.LogCommand command) {
        RaftSequencer sequencer = sequencers.apply(command.log());
        return switch (command) {
            case Command.Append append -> sequencer.applyAppend(append);
            case Command.Batch batch -> sequencer.applyBatch(batch);
            case Command.Seal seal -> sequencer.applySeal(seal.treeSize(), seal.root());
            case Command.Cosign cosign -> sequencer.applyCosign(cosign);
        };
    }

    /** Why this node stopped applying, if it did. */
    String failure() {
        return failure;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        awaitApplyGate();
        if (failure != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("node stopped: " + failure));
        }
        Reply reply;
        ByteBuffer data = entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer();
        long applied = Command.expandedSize(data);
        try {
            Command command;
            if (trx.getStateMachineContext() instanceof Command own) {
                command = own;
                ownCommandsApplied.incrementAndGet();
            } else {
                command = Command.decode(data);
            }
            reply = switch (command) {
                case Command.TokenPut put -> tokens.put(put.token());
                case Command.TokenRevoke revoke -> tokens.revoke(revoke.name());
                case Command.LogCommand onLog -> apply(onLog);
            };
        } catch (IOException | RuntimeException e) {
            failure = "could not apply raft entry " + entry.getIndex() + ": " + e;
            LOG.error("node stopped (fail-stop): {}", failure, e);
            return CompletableFuture.failedFuture(e);
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        if (bytesSinceSnapshot.addAndGet(applied) >= snapshotEveryBytes
                && snapshotWrite.isDone()
                && snapshotRequested.compareAndSet(false, true)) {
            snapshotRequest.run();
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply.encode())));
    }
}
