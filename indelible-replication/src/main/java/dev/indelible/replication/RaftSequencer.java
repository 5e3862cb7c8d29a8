package dev.indelible.replication;

import dev.indelible.formats.cosignature.CosignatureV1;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.LeafHasher;
import dev.indelible.formats.note.NoteSignature;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.note.Notes;
import dev.indelible.formats.note.SignedNote;
import dev.indelible.log.Appended;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import dev.indelible.log.Leaf;
import dev.indelible.log.LogApplier;
import dev.indelible.log.PublishedCheckpoint;
import dev.indelible.log.RecentIds;
import dev.indelible.log.Sequencer;
import dev.indelible.log.TreeHead;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sequencer of one log in a cluster. {@link #submit} proposes an {@link Command.Append} to the
 * Raft group (the node's Raft client finds the leader); the Raft log is the write-ahead log, and an
 * append completes once a quorum has committed it and this node's leader has applied it.
 *
 * <p>The apply methods run on the Raft apply thread of <em>every</em> replica, in Raft log order,
 * and read no clock: {@link #applyAppend} extends the log at the tree size this state machine has
 * applied so far, so a replica that restarts and replays entries its storage already holds checks
 * them leaf hash by leaf hash instead of writing them twice. {@link #applySeal} checks the root
 * the replica computed itself against the proposer's before signing; a mismatch stops the log on
 * that replica (fail-stop, health down), never silently. After a seal each node cosigns the
 * checkpoint with its own key (C2SP tlog-cosignature) and proposes the cosignature through the
 * log; {@link #applyCosign} publishes the checkpoint — log signature first, then the cosignatures
 * in Raft order — once a majority of members have cosigned, so every replica stores the same bytes.
 */
final class RaftSequencer implements Sequencer {
    private static final Logger LOG = LoggerFactory.getLogger(RaftSequencer.class);

    /** Sends a command through Raft; completes with the leader's apply reply. */
    @FunctionalInterface
    interface Proposer {
        CompletableFuture<Reply> propose(Command command);
    }

    /** Asked, after a seal is applied, to cosign its checkpoint text off the apply thread. */
    @FunctionalInterface
    interface Cosigner {
        void cosignLater(RaftSequencer sequencer, long treeSize, String checkpointText);
    }

    /**
     * Runs the storing of published checkpoints off the apply thread: on one thread, in the order
     * handed over ({@link EntrySyncer}).
     */
    interface CheckpointStores {
        /** Runs {@code store} later. */
        void later(Runnable store);

        /** Returns once every store handed over before has run. */
        void drain();
    }

    /**
     * Raft entries of one log this node has proposed and not yet seen answered, at most: one, so that
     * whatever arrives while an entry is in flight goes as one entry after it (fewer, larger entries;
     * measured against 4 in docs/BENCHMARKS.md, session 12).
     */
    static final int PROPOSALS_IN_FLIGHT_MAX = 1;

    /** The most encoded bytes of appends grouped into one Raft entry (one request may exceed it alone). */
    static final long BATCH_BYTES_MAX = 4L << 20;

    private record CheckpointWaiter(long treeSize, CompletableFuture<PublishedCheckpoint> done) {}

    /**
     * The leaves (bytes and hashes) of this node's appends in flight, keyed by the very {@link
     * Command.Append} object proposed (identity): when the apply thread is handed that object back
     * ({@link LogStateMachine#startTransaction}), {@link #applyAppend} takes the leaves hashed when the
     * request was prepared instead of hashing every entry again. A replica that decoded the entry
     * holds another object and hashes it itself.
     */
    private final Map<Command.Append, List<Leaf>> ownLeaves = Collections.synchronizedMap(new IdentityHashMap<>());

    private record WaitingAppend(Command.Append append, long bytes, CompletableFuture<Reply> reply) {}

    /**
     * A sealed checkpoint gathering cosignatures; state of the apply thread only. {@code logSigned}
     * is made off the apply thread ({@link #logSignature} makes it on the spot if it is not done).
     */
    private record PendingSeal(
            TreeHead head,
            String text,
            CompletableFuture<SignedNote> logSigned,
            Map<String, NoteSignature> cosignatures) {}

    private final LogApplier log;
    private final Proposer proposer;
    private final Cosigner cosigner;
    private final Supplier<Set<String>> members;
    private final Executor signer;
    private final CheckpointStores stores;
    private final long pushbackMaxOutstanding;
    private final AtomicLong outstandingEntries = new AtomicLong();
    private final AtomicBoolean sealInFlight = new AtomicBoolean();
    private final List<CheckpointWaiter> checkpointWaiters = new ArrayList<>();
    /** Appends waiting for a proposal slot, oldest first; guarded by itself, as is {@link #proposalsInFlight}. */
    private final java.util.ArrayDeque<WaitingAppend> waiting = new java.util.ArrayDeque<>();

    private int proposalsInFlight;
    private volatile long appliedTreeSize;
    private volatile boolean closed;
    private PendingSeal pending;
    /**
     * The tree size of the latest checkpoint this replica published (apply thread): handed to
     * {@link #stores}, so it may not be stored and exposed yet.
     */
    private long publishedTreeSize;
    /** The most recent client ids and their leaf indexes; apply thread only. */
    private RecentIds recentIds = new RecentIds();

    /**
     * @param members the ids of the cluster members in the Raft configuration applied so far (read
     *     on the apply thread); a checkpoint is published once a majority of them have cosigned it
     */
    RaftSequencer(
            LogApplier log,
            Proposer proposer,
            Cosigner cosigner,
            Supplier<Set<String>> members,
            Executor signer,
            CheckpointStores stores,
            long pushbackMaxOutstanding) {
        this.log = log;
        this.proposer = proposer;
        this.cosigner = cosigner;
        this.members = members;
        this.signer = signer;
        this.stores = stores;
        this.pushbackMaxOutstanding = pushbackMaxOutstanding;
        this.publishedTreeSize =
                log.latestCheckpoint().map(PublishedCheckpoint::treeSize).orElse(0L);
    }

    /**
     * Returns once every checkpoint this replica published so far is stored and exposed (before a
     * snapshot records the state, or a snapshot install stores checkpoints of its own).
     */
    void awaitStoredCheckpoints() {
        stores.drain();
    }

    /** Cosignatures a checkpoint needs before it is published: a majority of the members. */
    int quorum() {
        return members.get().size() / 2 + 1;
    }

    /** Proposes this node's cosignature of the checkpoint at {@code treeSize} (any thread). */
    CompletableFuture<Reply> proposeCosignature(
            long treeSize, String nodeId, String verifierKey, NoteSignature signature) {
        return proposer.propose(new Command.Cosign(log.name(), treeSize, nodeId, verifierKey, signature));
    }

    LogApplier log() {
        return log;
    }

    /** The tree size the Raft log has applied to this replica. */
    long appliedTreeSize() {
        return appliedTreeSize;
    }

    /**
     * This log's replicated state for a snapshot, once its published checkpoints are stored and its
     * entries fsync'd (applies do not fsync: a snapshot may count only durable entries); Raft apply
     * thread, between applies. Empty if the log has stopped, or stops here because the fsync or a
     * store failed: the exception must not reach Ratis, whose apply thread would then try the
     * snapshot again and again, at full speed, and never let the node close.
     */
    Optional<SnapshotFile.LogState> durableSnapshotState() {
        if (log.failure().isPresent()) {
            return Optional.empty();
        }
        try {
            awaitStoredCheckpoints();
            log.sync();
            if (log.failure().isPresent()) {
                return Optional.empty(); // a checkpoint store failed
            }
            return Optional.of(snapshotState());
        } catch (IOException | RuntimeException e) {
            stop("state could not be made durable for a snapshot: " + e);
            return Optional.empty();
        }
    }

    /** This log's replicated state, for a snapshot (Raft apply thread, between applies). */
    SnapshotFile.LogState snapshotState() {
        Optional<SnapshotFile.PendingState> pendingState = Optional.ofNullable(pending)
                .map(p -> new SnapshotFile.PendingState(
                        p.head().treeSize(),
                        p.head().rootHash(),
                        logSignature(p).encode(),
                        new LinkedHashMap<>(p.cosignatures())));
        // the caller awaited the stores: the latest checkpoint is the one published last
        long checkpointTreeSize =
                log.latestCheckpoint().map(PublishedCheckpoint::treeSize).orElse(0L);
        Optional<Hash> root = appliedTreeSize == 0 ? Optional.empty() : Optional.of(log.rootHash(appliedTreeSize));
        return new SnapshotFile.LogState(
                log.name(), appliedTreeSize, checkpointTreeSize, root, recentIds.copy(), pendingState);
    }

    /**
     * This log as a single node left it, as the state a new cluster starts from: every stored entry
     * counts as applied, no client ids, no pending seal. Its latest checkpoint must carry the
     * signature this node's log key makes (same key, same origin), so cluster checkpoints continue
     * the same history under the same verifier key.
     *
     * @throws IOException if the latest checkpoint was signed with another key or origin
     */
    SnapshotFile.LogState adoptedState() throws IOException {
        long treeSize = log.head().treeSize();
        Optional<PublishedCheckpoint> latest = log.latestCheckpoint();
        if (latest.isPresent()) {
            long size = latest.get().treeSize();
            try {
                CatchUp.requireOwnSignature(
                        log,
                        new TreeHead(size, log.rootHash(size)),
                        latest.get().signedNote());
            } catch (IOException e) {
                throw new IOException(
                        "cannot adopt log " + log.name() + ": its checkpoints were signed with another key"
                                + " (start the first cluster node with --log-key <data>/keys/log-signing.key): "
                                + e.getMessage(),
                        e);
            }
        }
        Optional<Hash> root = treeSize == 0 ? Optional.empty() : Optional.of(log.rootHash(treeSize));
        return new SnapshotFile.LogState(
                log.name(),
                treeSize,
                latest.map(PublishedCheckpoint::treeSize).orElse(0L),
                root,
                log.latestClientIds(),
                Optional.empty());
    }

    /**
     * Restores the state a snapshot recorded (before any apply). The segments must already hold
     * every entry the snapshot counts as applied; if they do not, the log stops here, loudly.
     */
    void restore(SnapshotFile.LogState state) {
        long stored = log.head().treeSize();
        appliedTreeSize = state.appliedTreeSize();
        recentIds = state.recentIds().copy();
        pending = state.pending()
                .map(p -> {
                    SignedNote logSigned = Notes.parse(p.logSignedNote());
                    return new PendingSeal(
                            new TreeHead(p.treeSize(), p.root()),
                            logSigned.text(),
                            CompletableFuture.completedFuture(logSigned),
                            new LinkedHashMap<>(p.cosignatures()));
                })
                .orElse(null);
        publishedTreeSize =
                log.latestCheckpoint().map(PublishedCheckpoint::treeSize).orElse(0L);
        if (stored < state.appliedTreeSize()) {
            stop("the snapshot counts " + state.appliedTreeSize() + " applied entries but the segments hold " + stored
                    + ": entries lost");
        }
    }

    @Override
    public int dedupWindow() {
        return RecentIds.WINDOW_MAX;
    }

    @Override
    public CompletableFuture<Long> submit(List<Leaf> leaves) {
        return submit(leaves, Collections.nCopies(leaves.size(), Optional.empty()), List.of())
                .thenApply(appended -> appended.get(0).leafIndex());
    }

    @Override
    public CompletableFuture<List<Appended>> submit(
            List<Leaf> leaves, List<Optional<String>> clientIds, List<byte[]> detachedBodies) {
        log.failure().ifPresent(reason -> {
            throw new IndelibleException(ErrorCode.STORAGE_FAILED, "log refuses appends: " + reason);
        });
        if (closed) {
            throw new IndelibleException(ErrorCode.OVERLOADED, "log is shutting down");
        }
        long outstanding = outstandingEntries.addAndGet(leaves.size());
        if (outstanding > pushbackMaxOutstanding && outstanding > leaves.size()) {
            outstandingEntries.addAndGet(-leaves.size());
            throw new IndelibleException(
                    ErrorCode.OVERLOADED,
                    "append backlog full: " + (outstanding - leaves.size()) + " entries waiting, limit "
                            + pushbackMaxOutstanding);
        }
        List<byte[]> entries = new ArrayList<>(leaves.size());
        for (Leaf leaf : leaves) {
            entries.add(leaf.bytes());
        }
        Command.Append append = new Command.Append(log.name(), entries, clientIds, detachedBodies);
        ownLeaves.put(append, leaves);
        return proposeGrouped(append)
                .whenComplete((reply, error) -> {
                    ownLeaves.remove(append);
                    outstandingEntries.addAndGet(-leaves.size());
                })
                .thenApply(reply -> {
                    if (!reply.ok()) {
                        throw new IndelibleException(ErrorCode.STORAGE_FAILED, "append not applied: " + reply.reason());
                    }
                    List<Appended> appended = new ArrayList<>(leaves.size());
                    for (int i = 0; i < leaves.size(); i++) {
                        Hash hash = reply.duplicate()
                                ? reply.originalLeafHashes().get(i)
                                : leaves.get(i).leafHash();
                        appended.add(new Appended(reply.value() + i, hash));
                    }
                    return appended;
                });
    }

    /**
     * Proposer-side group commit: at most {@link #PROPOSALS_IN_FLIGHT_MAX} Raft entries of this log
     * are in flight from this node; requests that arrive meanwhile wait and go together as one
     * {@link Command.Batch} (up to {@link #BATCH_BYTES_MAX}) when one completes. Each request keeps
     * its own all-or-nothing and retry semantics and gets its own part of the reply.
     */
    private CompletableFuture<Reply> proposeGrouped(Command.Append append) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        synchronized (waiting) {
            waiting.add(new WaitingAppend(append, Command.appendBodySize(append), reply));
        }
        proposeWaiting();
        return reply;
    }

    private void proposeWaiting() {
        while (true) {
            List<WaitingAppend> group = new ArrayList<>();
            synchronized (waiting) {
                if (waiting.isEmpty() || proposalsInFlight >= PROPOSALS_IN_FLIGHT_MAX) {
                    return;
                }
                long bytes = 0;
                while (!waiting.isEmpty()
                        && (group.isEmpty() || bytes + waiting.peek().bytes() <= BATCH_BYTES_MAX)) {
                    WaitingAppend next = waiting.poll();
                    bytes += next.bytes();
                    group.add(next);
                }
                proposalsInFlight++;
            }
            Command command = group.size() == 1
                    ? group.get(0).append()
                    : new Command.Batch(
                            log.name(),
                            group.stream().map(WaitingAppend::append).toList());
            CompletableFuture<Reply> proposed;
            try {
                proposed = proposer.propose(command);
            } catch (RuntimeException e) {
                proposed = CompletableFuture.failedFuture(e);
            }
            proposed.whenComplete((reply, error) -> {
                synchronized (waiting) {
                    proposalsInFlight--;
                }
                for (int i = 0; i < group.size(); i++) {
                    CompletableFuture<Reply> done = group.get(i).reply();
                    if (error != null) {
                        done.completeExceptionally(error);
                    } else if (group.size() == 1) {
                        done.complete(reply);
                    } else if (reply.batch() && reply.parts().size() == group.size()) {
                        done.complete(reply.parts().get(i));
                    } else {
                        done.complete(reply.ok() ? Reply.failed("batch answered with " + reply) : reply);
                    }
                }
                proposeWaiting();
            });
        }
    }

    @Override
    public CompletableFuture<PublishedCheckpoint> awaitCheckpoint(long treeSize) {
        CompletableFuture<PublishedCheckpoint> done = new CompletableFuture<>();
        synchronized (checkpointWaiters) {
            PublishedCheckpoint latest = log.latestCheckpoint().orElse(null);
            if (latest != null && latest.treeSize() >= treeSize) {
                done.complete(latest);
            } else if (closed) {
                done.completeExceptionally(new IndelibleException(ErrorCode.OVERLOADED, "log is shutting down"));
            } else {
                checkpointWaiters.add(new CheckpointWaiter(treeSize, done));
            }
        }
        return done;
    }

    /**
     * Proposes a seal of the current tree head if it has grown past the latest checkpoint and no seal
     * is in flight. Called on the leader, from a timer: the clock decides <em>when</em> to propose,
     * never what a replica applies.
     */
    void sealIfGrown() {
        TreeHead head = log.head();
        long latest = log.latestCheckpoint().map(PublishedCheckpoint::treeSize).orElse(0L);
        if (closed
                || log.failure().isPresent()
                || head.treeSize() <= latest
                || !sealInFlight.compareAndSet(false, true)) {
            return;
        }
        proposer.propose(new Command.Seal(log.name(), head.treeSize(), head.rootHash()))
                .whenComplete((reply, error) -> {
                    sealInFlight.set(false);
                    if (error != null) {
                        LOG.debug("seal of {} at {} not committed: {}", log.name(), head.treeSize(), error.toString());
                    }
                });
    }

    /**
     * Applies an append at the applied tree size, or answers a retry with the original positions
     * (Raft apply thread). A retry is an append whose entries all carry client ids that were
     * appended, consecutively and in the same order, within the window ({@link RecentIds}).
     */
    Reply applyAppend(Command.Append append) {
        if (log.failure().isPresent()) {
            return Reply.failed("log " + log.name() + " stopped on this replica: "
                    + log.failure().get());
        }
        Reply retry = retryOf(append.clientIds());
        if (retry != null) {
            return retry;
        }
        long first = appliedTreeSize;
        List<Leaf> leaves = ownLeaves.get(append);
        if (leaves == null) {
            leaves = new ArrayList<>(append.entries().size());
            LeafHasher hasher = new LeafHasher();
            for (byte[] entry : append.entries()) {
                leaves.add(Leaf.of(entry, hasher));
            }
        }
        try {
            for (byte[] body : append.detachedBodies()) {
                log.putBody(body);
            }
            long stored = log.head().treeSize();
            if (stored < first) {
                return stop(
                        "storage holds " + stored + " entries but the Raft log applied " + first + ": entries lost");
            }
            int already = (int) Math.min(stored - first, leaves.size());
            for (int i = 0; i < already; i++) {
                Hash have = log.leafHash(first + i);
                if (!have.equals(leaves.get(i).leafHash())) {
                    return stop("leaf " + (first + i) + " is " + have.hex() + " in storage but "
                            + leaves.get(i).leafHash().hex() + " in the Raft log: replica diverged");
                }
            }
            if (already < leaves.size()) {
                long at = log.append(leaves.subList(already, leaves.size()));
                if (at != first + already) {
                    return stop("append landed at leaf " + at + ", want " + (first + already));
                }
            }
        } catch (IOException | RuntimeException e) {
            return stop("append failed: " + e);
        }
        appliedTreeSize = first + leaves.size();
        recentIds.remember(append.clientIds(), first);
        return Reply.ok(first);
    }

    /** Applies each part of a group-committed batch as its own append, in order (Raft apply thread). */
    Reply applyBatch(Command.Batch batch) {
        List<Reply> parts = new ArrayList<>(batch.parts().size());
        for (Command.Append part : batch.parts()) {
            parts.add(applyAppend(part));
        }
        return Reply.batch(parts);
    }

    private Reply retryOf(List<Optional<String>> clientIds) {
        long first = recentIds.retryOf(clientIds);
        if (first < 0) {
            return null;
        }
        List<Hash> hashes = new ArrayList<>(clientIds.size());
        for (int i = 0; i < clientIds.size(); i++) {
            hashes.add(log.leafHash(first + i));
        }
        return Reply.duplicate(first, hashes);
    }

    /**
     * Checks this replica's root, then signs the checkpoint with the log key and waits for a majority
     * of cosignatures before storing and publishing it (Raft apply thread).
     */
    Reply applySeal(long treeSize, Hash proposedRoot) {
        if (log.failure().isPresent()) {
            return Reply.failed("log " + log.name() + " stopped on this replica: "
                    + log.failure().get());
        }
        long latest = Math.max(
                publishedTreeSize,
                log.latestCheckpoint().map(PublishedCheckpoint::treeSize).orElse(0L));
        if (treeSize <= latest) {
            if (pending != null && pending.head().treeSize() <= latest) {
                // Only on a replay after a restart (see applyCosign): a live replica's pending seal is
                // always beyond its latest checkpoint.
                pending = null;
            }
            return Reply.ok(latest);
        }
        if (treeSize > appliedTreeSize) {
            return stop("seal at tree size " + treeSize + " beyond the applied tree size " + appliedTreeSize);
        }
        try {
            Hash mine = log.rootHash(treeSize);
            if (!mine.equals(proposedRoot)) {
                return stop("root at tree size " + treeSize + " is " + mine.base64() + " on this replica but "
                        + proposedRoot.base64() + " on the proposer: replicas diverged");
            }
            TreeHead head = new TreeHead(treeSize, mine);
            String text = log.checkpointText(head);
            CompletableFuture<SignedNote> logSigned = new CompletableFuture<>();
            try {
                signer.execute(() -> {
                    try {
                        logSigned.complete(Notes.parse(log.signCheckpoint(head)));
                    } catch (RuntimeException e) {
                        logSigned.completeExceptionally(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                LOG.debug("log signature of {} at {} left to the apply thread: {}", log.name(), treeSize, e.toString());
            }
            pending = new PendingSeal(head, text, logSigned, new LinkedHashMap<>());
            cosigner.cosignLater(this, treeSize, text);
        } catch (RuntimeException e) {
            return stop("checkpoint could not be signed: " + e);
        }
        return Reply.ok(treeSize);
    }

    /**
     * Adds a member's cosignature to the pending seal, and publishes it once a majority has cosigned
     * (Raft apply thread). Cosignatures for another tree size, from non-members, repeated, or that
     * do not verify are ignored: they say nothing about this replica's state.
     */
    Reply applyCosign(Command.Cosign cosign) {
        PendingSeal current = pending;
        if (log.failure().isPresent() || current == null || current.head().treeSize() != cosign.treeSize()) {
            return Reply.ok(-1);
        }
        if (!members.get().contains(cosign.nodeId()) || current.cosignatures().containsKey(cosign.nodeId())) {
            return Reply.ok(-1);
        }
        try {
            NoteVerifier verifier = CosignatureV1.verifier(cosign.verifierKey());
            NoteSignature signature = cosign.signature();
            if (!verifier.name().equals(signature.name()) || verifier.keyId() != signature.keyId()) {
                throw new IllegalArgumentException(
                        "signature by " + signature.name() + " does not match key " + verifier.name());
            }
            verifier.verify(current.text().getBytes(StandardCharsets.UTF_8), signature.signature());
        } catch (RuntimeException e) {
            LOG.warn(
                    "ignoring cosignature of {} at {} by {}: {}",
                    log.name(),
                    cosign.treeSize(),
                    cosign.nodeId(),
                    e.toString());
            return Reply.ok(-1);
        }
        current.cosignatures().put(cosign.nodeId(), cosign.signature());
        if (current.cosignatures().size() < quorum()) {
            return Reply.ok(cosign.treeSize());
        }
        if (current.head().treeSize() <= publishedTreeSize) {
            // A replay: this replica restarted from a snapshot taken while the seal gathered
            // cosignatures, and had published and stored the checkpoint before it stopped. Storing it
            // again would fail (a checkpoint must grow the log's latest); the state is the same.
            pending = null;
            return Reply.ok(cosign.treeSize());
        }
        byte[] note;
        try {
            SignedNote logSigned = logSignature(current);
            List<NoteSignature> lines = new ArrayList<>(logSigned.signatures());
            lines.addAll(current.cosignatures().values());
            note = new SignedNote(current.text(), lines, List.of()).encode();
        } catch (RuntimeException e) {
            return stop("checkpoint could not be signed: " + e);
        }
        pending = null;
        LogApplier.StoreStep store;
        try {
            store = log.publishLater(current.head(), note);
        } catch (RuntimeException e) {
            return stop("checkpoint could not be stored: " + e);
        }
        publishedTreeSize = current.head().treeSize();
        stores.later(() -> {
            try {
                completeWaiters(store.run());
            } catch (IOException | RuntimeException e) {
                stop("checkpoint at " + current.head().treeSize() + " could not be stored: " + e);
            }
        });
        return Reply.ok(cosign.treeSize());
    }

    /**
     * The pending checkpoint signed with the log key: made off the apply thread after the seal, or
     * here if that has not finished (Ed25519 is deterministic: both give the same bytes).
     */
    private SignedNote logSignature(PendingSeal seal) {
        CompletableFuture<SignedNote> made = seal.logSigned();
        SignedNote signed = made.isDone() && !made.isCompletedExceptionally()
                ? made.join()
                : Notes.parse(log.signCheckpoint(seal.head()));
        if (!signed.text().equals(seal.text())) {
            throw new IllegalStateException("the log signed text differs from the checkpoint text");
        }
        return signed;
    }

    /** Whether the checkpoint at {@code treeSize} is already published (any thread). */
    boolean publishedAtLeast(long treeSize) {
        return log.latestCheckpoint().map(PublishedCheckpoint::treeSize).orElse(0L) >= treeSize;
    }

    private Reply stop(String reason) {
        String message = "log " + log.name() + " stopped on this replica (fail-stop): " + reason;
        LOG.error(message);
        log.fail(message);
        return Reply.failed(message);
    }

    private void completeWaiters(PublishedCheckpoint published) {
        synchronized (checkpointWaiters) {
            Iterator<CheckpointWaiter> it = checkpointWaiters.iterator();
            while (it.hasNext()) {
                CheckpointWaiter waiter = it.next();
                if (waiter.treeSize() <= published.treeSize()) {
                    waiter.done().complete(published);
                    it.remove();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (checkpointWaiters) {
            for (CheckpointWaiter waiter : checkpointWaiters) {
                waiter.done()
                        .completeExceptionally(new IndelibleException(ErrorCode.OVERLOADED, "log is shutting down"));
            }
            checkpointWaiters.clear();
        }
    }
}
