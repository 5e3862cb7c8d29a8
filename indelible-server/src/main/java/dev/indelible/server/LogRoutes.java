package dev.indelible.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.tiles.TilePath;
import dev.indelible.log.AppendService;
import dev.indelible.log.Appended;
import dev.indelible.log.AuditLog;
import dev.indelible.log.AuditLogs;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import dev.indelible.log.LogName;
import dev.indelible.log.PublishedCheckpoint;
import dev.indelible.log.envelope.Source;
import dev.indelible.server.auth.AccessControl;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The log HTTP API: one route table, thin handlers that parse parameters, call one application
 * method and map the result. Errors are thrown as {@link IndelibleException} and rendered by
 * {@link Problems}.
 */
final class LogRoutes {
    static final String NDJSON = "application/x-ndjson";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final long RANGE_MAX_ENTRIES = 100_000;

    private final AuditLogs logs;
    private final AppendService appends;
    private final Receipts receipts;
    private final ObjectMapper json;
    private final long bodyMaxBytes;

    LogRoutes(AuditLogs logs, AppendService appends, Receipts receipts, ObjectMapper json, long bodyMaxBytes) {
        this.logs = logs;
        this.appends = appends;
        this.receipts = receipts;
        this.json = json;
        this.bodyMaxBytes = bodyMaxBytes;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/logs", this::listLogs);
        routes.get("/v1/logs/{log}", this::logInfo);
        routes.post("/v1/logs/{log}/entries", this::append);
        routes.get("/v1/logs/{log}/entries", this::entryRange);
        routes.get("/v1/logs/{log}/entries/{leafIndex}", this::entry);
        routes.get("/v1/logs/{log}/entries/{leafIndex}/proof", this::entryProof);
        routes.get("/v1/logs/{log}/bodies/{digest}", this::body);
        routes.get("/v1/logs/{log}/checkpoint", this::checkpoint);
        routes.get("/v1/logs/{log}/checkpoints/{treeSize}", this::checkpointOfSize);
        routes.get("/v1/logs/{log}/proof/inclusion", this::inclusionProof);
        routes.get("/v1/logs/{log}/proof/consistency", this::consistencyProof);
        routes.get("/v1/logs/{log}/tlog/checkpoint", this::checkpoint);
        routes.get("/v1/logs/{log}/tlog/tile/<path>", this::tile);
        for (String path : List.of("/v1/logs/{log}/entries", "/v1/logs/{log}/entries/{leafIndex}")) {
            routes.put(path, LogRoutes::appendOnly);
            routes.patch(path, LogRoutes::appendOnly);
            routes.delete(path, LogRoutes::appendOnly);
        }
        routes.delete("/v1/logs/{log}", LogRoutes::appendOnly);
    }

    private static void appendOnly(Context ctx) {
        ctx.header("Allow", "GET, POST");
        throw new IndelibleException(
                ErrorCode.METHOD_NOT_ALLOWED, "the log is append-only: entries are never updated or deleted");
    }

    private AuditLog log(Context ctx) {
        return logs.require(new LogName(ctx.pathParam("log")));
    }

    private void listLogs(Context ctx) {
        ArrayNode names = json.createArrayNode();
        for (AuditLog log : logs.all()) {
            if (!log.name().isSystem() && AccessControl.mayList(ctx, log.name())) {
                names.add(info(log));
            }
        }
        ObjectNode body = json.createObjectNode();
        body.set("logs", names);
        ctx.json(body);
    }

    private void logInfo(Context ctx) {
        ctx.json(info(log(ctx)));
    }

    private ObjectNode info(AuditLog log) {
        ObjectNode body = json.createObjectNode();
        body.put("name", log.name().value());
        body.put("origin", log.origin());
        body.put("treeSize", log.head().treeSize());
        body.put("rootHash", log.head().rootHash().base64());
        log.latestCheckpoint().ifPresent(c -> body.put("checkpointTreeSize", c.treeSize()));
        body.put("verifierKey", receipts.verifierKey(log));
        body.put("dedupWindow", log.dedupWindow());
        log.failure().ifPresent(reason -> body.put("failure", reason));
        return body;
    }

    private void append(Context ctx) throws IOException {
        LogName name = LogName.parse(ctx.pathParam("log"));
        String wait = ctx.queryParam("wait");
        if (wait != null && !wait.equals("checkpoint") && !wait.equals("durable")) {
            throw new IndelibleException(
                    ErrorCode.INVALID_PARAMETER, "wait must be durable or checkpoint, got " + wait);
        }
        byte[] body = readBody(ctx);
        AppendService.Result result = appends.append(name, body, ctx.contentType(), Source.http(ctx.ip()));
        PublishedCheckpoint checkpoint = "checkpoint".equals(wait) ? appends.awaitCheckpoint(result) : null;
        ctx.contentType("application/json").result(appendReply(result, checkpoint));
    }

    /**
     * The append's answer, written straight to bytes: one request may carry thousands of entries, and a
     * tree of one {@code ObjectNode} per entry was 4 % of the leader's CPU samples at full rate
     * (docs/BENCHMARKS.md, session 17's profile).
     */
    private byte[] appendReply(AppendService.Result result, PublishedCheckpoint checkpoint) throws IOException {
        List<Appended> appended = result.entries();
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + appended.size() * (checkpoint == null ? 80 : 1024));
        try (JsonGenerator reply = json.getFactory().createGenerator(out)) {
            reply.writeStartObject();
            reply.writeArrayFieldStart("entries");
            for (Appended entry : appended) {
                reply.writeStartObject();
                reply.writeNumberField("leafIndex", entry.leafIndex());
                reply.writeStringField("leafHash", entry.leafHash().base64());
                if (checkpoint != null) {
                    List<Hash> proof = result.log().inclusionProof(entry.leafIndex(), checkpoint.treeSize());
                    reply.writeArrayFieldStart("inclusionProof");
                    for (Hash hash : proof) {
                        reply.writeString(hash.base64());
                    }
                    reply.writeEndArray();
                    reply.writeStringField("proof", receipts.tlogProof(entry.leafIndex(), proof, checkpoint));
                }
                reply.writeEndObject();
            }
            reply.writeEndArray();
            if (checkpoint != null) {
                reply.writeNumberField("treeSize", checkpoint.treeSize());
                reply.writeStringField("checkpoint", checkpoint.noteText());
            }
            reply.writeEndObject();
        }
        return out.toByteArray();
    }

    private byte[] readBody(Context ctx) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > bodyMaxBytes) {
            throw tooLarge(declared);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            if (declared > 0) {
                // Content-Length known: one exact allocation, no copy (bodies are often hundreds of KB).
                byte[] body = new byte[(int) declared];
                int read = in.readNBytes(body, 0, body.length);
                if (read < body.length) {
                    throw new IOException("request body ended after " + read + " of " + declared + " bytes");
                }
                return body;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            byte[] buffer = new byte[65_536];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > bodyMaxBytes) {
                    throw tooLarge(total);
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    private IndelibleException tooLarge(long size) {
        return new IndelibleException(
                ErrorCode.BODY_TOO_LARGE,
                "request body of at least " + size + " bytes exceeds the limit of " + bodyMaxBytes);
    }

    private void entry(Context ctx) {
        AuditLog log = log(ctx);
        long leafIndex = Params.nonNegative(ctx.pathParam("leafIndex"), "leafIndex");
        ctx.contentType("application/json").result(log.entry(leafIndex));
    }

    private void entryRange(Context ctx) throws IOException {
        AuditLog log = log(ctx);
        long size = log.head().treeSize();
        long start = Params.queryLong(ctx, "start", 0);
        long end = Params.queryLong(ctx, "end", Math.min(size, start + RANGE_MAX_ENTRIES));
        if (end - start > RANGE_MAX_ENTRIES) {
            throw new IndelibleException(
                    ErrorCode.OUT_OF_RANGE, "at most " + RANGE_MAX_ENTRIES + " entries per request");
        }
        if (start < 0 || end < start || end > size) {
            throw new IndelibleException(
                    ErrorCode.OUT_OF_RANGE, "range [" + start + ", " + end + ") outside tree size " + size);
        }
        ctx.contentType(NDJSON);
        ctx.header("X-Tree-Size", Long.toString(size));
        AccessControl.resultCount(ctx, end - start);
        OutputStream out = ctx.outputStream();
        try {
            log.entries(start, end, bytes -> {
                try {
                    out.write(bytes);
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void body(Context ctx) {
        AuditLog log = log(ctx);
        String digest = ctx.pathParam("digest");
        if (!digest.matches("[0-9a-f]{64}")) {
            throw new IndelibleException(ErrorCode.INVALID_PARAMETER, "digest must be 64 lower-case hex digits");
        }
        byte[] body = log.body(Hash.fromHex(digest))
                .orElseThrow(() -> new IndelibleException(ErrorCode.ENTRY_NOT_FOUND, "no body with digest " + digest));
        ctx.header("Cache-Control", IMMUTABLE).contentType("application/json").result(body);
    }

    private void entryProof(Context ctx) {
        AuditLog log = log(ctx);
        long leafIndex = Params.nonNegative(ctx.pathParam("leafIndex"), "leafIndex");
        PublishedCheckpoint checkpoint = log.latestCheckpoint()
                .filter(c -> c.treeSize() > leafIndex)
                .orElseThrow(() -> new IndelibleException(
                        ErrorCode.CHECKPOINT_NOT_FOUND,
                        "leaf " + leafIndex + " is not yet covered by a published checkpoint; retry in a second"));
        List<Hash> proof = log.inclusionProof(leafIndex, checkpoint.treeSize());
        ctx.contentType(TEXT).result(receipts.tlogProof(leafIndex, proof, checkpoint));
    }

    private void checkpoint(Context ctx) {
        AuditLog log = log(ctx);
        PublishedCheckpoint checkpoint = log.latestCheckpoint()
                .orElseThrow(
                        () -> new IndelibleException(ErrorCode.CHECKPOINT_NOT_FOUND, "no checkpoint published yet"));
        ctx.header("Cache-Control", "no-cache").contentType(TEXT).result(checkpoint.signedNote());
    }

    private void checkpointOfSize(Context ctx) {
        AuditLog log = log(ctx);
        long treeSize = Params.nonNegative(ctx.pathParam("treeSize"), "treeSize");
        PublishedCheckpoint checkpoint = log.checkpoint(treeSize)
                .orElseThrow(() -> new IndelibleException(
                        ErrorCode.CHECKPOINT_NOT_FOUND, "no checkpoint of tree size " + treeSize));
        ctx.header("Cache-Control", IMMUTABLE).contentType(TEXT).result(checkpoint.signedNote());
    }

    private void inclusionProof(Context ctx) {
        AuditLog log = log(ctx);
        long treeSize = Params.queryLong(ctx, "treeSize", log.head().treeSize());
        String leafHash = ctx.queryParam("leafHash");
        long leafIndex;
        if (leafHash != null) {
            Hash hash = Params.hash(leafHash, "leafHash");
            leafIndex = log.findLeaf(hash, Math.min(treeSize, log.head().treeSize()))
                    .orElseThrow(() -> new IndelibleException(
                            ErrorCode.ENTRY_NOT_FOUND, "no leaf with hash " + leafHash + " in tree size " + treeSize));
        } else {
            leafIndex = Params.queryLong(ctx, "leafIndex", -1);
            if (leafIndex < 0) {
                throw new IndelibleException(ErrorCode.INVALID_PARAMETER, "give leafIndex or leafHash");
            }
        }
        List<Hash> proof = log.inclusionProof(leafIndex, treeSize);
        ObjectNode body = json.createObjectNode();
        body.put("leafIndex", leafIndex);
        body.put("treeSize", treeSize);
        ArrayNode hashes = body.putArray("hashes");
        proof.forEach(h -> hashes.add(h.base64()));
        ctx.json(body);
    }

    private void consistencyProof(Context ctx) {
        AuditLog log = log(ctx);
        long from = Params.queryLong(ctx, "from", -1);
        long to = Params.queryLong(ctx, "to", log.head().treeSize());
        if (from < 0) {
            throw new IndelibleException(ErrorCode.INVALID_PARAMETER, "from is required");
        }
        List<Hash> proof = log.consistencyProof(from, to);
        ObjectNode body = json.createObjectNode();
        body.put("from", from);
        body.put("to", to);
        ArrayNode hashes = body.putArray("hashes");
        proof.forEach(h -> hashes.add(h.base64()));
        ctx.json(body);
    }

    private void tile(Context ctx) {
        AuditLog log = log(ctx);
        TilePath path;
        try {
            path = TilePath.parse("tile/" + ctx.pathParam("path"));
        } catch (IllegalArgumentException e) {
            throw new IndelibleException(ErrorCode.NOT_FOUND, "not a tile path: " + e.getMessage());
        }
        byte[] content = path.isEntryBundle()
                ? receipts.entryBundle(log, path.index(), path.width())
                : log.tile(path.level(), path.index(), path.width());
        ctx.header("Cache-Control", path.width() == 256 ? IMMUTABLE : "public, max-age=60");
        ctx.contentType("application/octet-stream").result(content);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
