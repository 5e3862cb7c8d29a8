package dev.indelible.log;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.formats.merkle.LeafHasher;
import dev.indelible.log.envelope.EnvelopeWriter;
import dev.indelible.log.envelope.EventLimits;
import dev.indelible.log.envelope.EventParser;
import dev.indelible.log.envelope.ParsedEvent;
import dev.indelible.log.envelope.PreparedEntry;
import dev.indelible.log.envelope.Source;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The append use case: parse a request body into events, wrap each in the version 1 envelope with
 * the receive time and source fixed <em>before</em> sequencing, store detached bodies, and append
 * the leaves all-or-nothing. Runs on the caller's thread (parsing, canonicalization and leaf
 * hashing happen in parallel across requests); only sequencing is serialized.
 */
public final class AppendService {
    /** How long an append waits to become durable before the caller is told to retry. */
    public static final long APPEND_TIMEOUT_SECONDS = 30;

    private final AuditLogs logs;
    private final EventParser parser;
    private final EnvelopeWriter envelopes;
    private final Clock clock;

    /** An append service over {@code logs}. */
    public AppendService(AuditLogs logs, EventLimits limits, Clock clock) {
        this.logs = logs;
        this.parser = new EventParser(limits);
        this.envelopes = new EnvelopeWriter();
        this.clock = clock;
    }

    /** What an append returns: the log, and each entry's position and hash, in request order. */
    public record Result(AuditLog log, List<Appended> entries) {
        /** The tree size that includes every entry of this append. */
        public long coveringTreeSize() {
            return entries.get(entries.size() - 1).leafIndex() + 1;
        }
    }

    /**
     * Appends every event in {@code body}, or none. The log is created on its first successful
     * parse; a malformed body never creates a log.
     */
    public Result append(LogName name, byte[] body, String contentType, Source source) {
        if (name.isSystem()) {
            throw new IndelibleException(
                    ErrorCode.INVALID_LOG_NAME, "system log " + name + " is written by the server only");
        }
        List<ParsedEvent> events = parser.parse(contentType, body);
        Instant receivedAt = clock.instant();
        List<PreparedEntry> prepared = envelopes.prepareAll(events, receivedAt, source);
        AuditLog log = logs.getOrCreate(name);
        return new Result(log, await(log.append(leaves(log, prepared), clientIds(prepared), detachedBodies(prepared))));
    }

    /** Appends already-built events of a system log (such as {@code _access}). */
    public Result appendSystem(LogName name, List<ObjectNode> events, Source source) {
        Instant receivedAt = clock.instant();
        AuditLog log = logs.getOrCreate(name);
        List<PreparedEntry> prepared = new ArrayList<>(events.size());
        for (ObjectNode event : events) {
            prepared.add(envelopes.prepare(event, receivedAt, source));
        }
        return new Result(log, await(log.append(leaves(log, prepared), clientIds(prepared), detachedBodies(prepared))));
    }

    /** Stores detached bodies durably (before their leaves exist) and hashes every leaf. */
    private static List<Leaf> leaves(AuditLog log, List<PreparedEntry> prepared) {
        List<Leaf> leaves = new ArrayList<>(prepared.size());
        LeafHasher hasher = new LeafHasher();
        for (PreparedEntry entry : prepared) {
            entry.detachedBody().ifPresent(body -> log.putBody(body.bytes()));
            leaves.add(Leaf.of(entry.leafBytes(), hasher));
        }
        return leaves;
    }

    private static List<byte[]> detachedBodies(List<PreparedEntry> prepared) {
        List<byte[]> bodies = new ArrayList<>();
        for (PreparedEntry entry : prepared) {
            entry.detachedBody().ifPresent(body -> bodies.add(body.bytes()));
        }
        return bodies;
    }

    private static List<Optional<String>> clientIds(List<PreparedEntry> prepared) {
        List<Optional<String>> ids = new ArrayList<>(prepared.size());
        for (PreparedEntry entry : prepared) {
            ids.add(entry.clientId());
        }
        return ids;
    }

    /** Waits for the checkpoint that covers an append. */
    public PublishedCheckpoint awaitCheckpoint(Result result) {
        return await(result.log().awaitCheckpoint(result.coveringTreeSize()));
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(APPEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IndelibleException ie) {
                throw new IndelibleException(ie.code(), ie.getMessage(), ie);
            }
            throw new IndelibleException(ErrorCode.INTERNAL, "append failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IndelibleException(
                    ErrorCode.OVERLOADED, "append not durable within " + APPEND_TIMEOUT_SECONDS + " s; retry", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IndelibleException(ErrorCode.OVERLOADED, "interrupted while appending", e);
        }
    }
}
