package dev.indelible.client;

import dev.indelible.client.FakeLogServer.Reply;
import dev.indelible.client.FakeLogServer.Tree;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.Rfc9162;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The GET routes of {@link FakeLogServer}, answering from its tree. */
final class FakeRoutes {
    private static final Pattern ENTRY = Pattern.compile("/entries/(\\d+)");
    private static final Pattern ENTRY_PROOF = Pattern.compile("/entries/(\\d+)/proof");
    private static final Pattern CHECKPOINT_OF_SIZE = Pattern.compile("/checkpoints/(\\d+)");
    private static final Pattern TILE =
            Pattern.compile("/tlog/tile/(\\d+|entries)/((?:x\\d{3}/)*\\d{3})(?:\\.p/(\\d+))?");

    private FakeRoutes() {}

    static Reply get(FakeLogServer server, Tree tree, String path, Map<String, String> query) {
        Matcher m;
        if (path.isEmpty()) {
            return Reply.json("{\"name\":\"" + FakeLogServer.LOG + "\",\"origin\":\"" + FakeLogServer.ORIGIN
                    + "\",\"treeSize\":" + tree.size() + ",\"rootHash\":\""
                    + tree.root().base64()
                    + "\",\"checkpointTreeSize\":" + tree.size() + ",\"verifierKey\":\"" + server.verifierKey()
                    + "\",\"dedupWindow\":" + server.dedupWindow() + "}");
        } else if (path.equals("/checkpoint") || path.equals("/tlog/checkpoint")) {
            return text(server.checkpointOfSize(tree.size()));
        } else if ((m = CHECKPOINT_OF_SIZE.matcher(path)).matches()) {
            byte[] note = server.checkpointOfSize(Long.parseLong(m.group(1)));
            return note == null ? Reply.notFound("checkpoint-not-found", "no such checkpoint") : text(note);
        } else if ((m = ENTRY.matcher(path)).matches()) {
            long i = Long.parseLong(m.group(1));
            return i < tree.size()
                    ? Reply.bytes("application/json", tree.entries.get((int) i))
                    : Reply.notFound("entry-not-found", "no entry " + i);
        } else if (path.equals("/entries")) {
            long start = Long.parseLong(query.get("start"));
            long end = Long.parseLong(query.get("end"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (long i = start; i < end; i++) {
                out.writeBytes(tree.entries.get((int) i));
                out.write('\n');
            }
            return Reply.bytes("application/x-ndjson", out.toByteArray());
        } else if ((m = ENTRY_PROOF.matcher(path)).matches()) {
            long i = Long.parseLong(m.group(1));
            return text(tlogProof(tree, i, server.checkpointOfSize(tree.size())).getBytes(StandardCharsets.UTF_8));
        } else if (path.equals("/proof/inclusion")) {
            long size = Long.parseLong(query.get("treeSize"));
            long i = query.containsKey("leafIndex")
                    ? Long.parseLong(query.get("leafIndex"))
                    : indexOf(tree, Hash.fromBase64(query.get("leafHash")));
            return Reply.json("{\"leafIndex\":" + i + ",\"treeSize\":" + size + ",\"hashes\":"
                    + array(tree.proofs().inclusionProof(i, size)) + "}");
        } else if (path.equals("/proof/consistency")) {
            long from = Long.parseLong(query.get("from"));
            long to = Long.parseLong(query.get("to"));
            if (to > tree.size()) {
                return Reply.notFound("out-of-range", "to " + to + " beyond " + tree.size());
            }
            return Reply.json("{\"from\":" + from + ",\"to\":" + to + ",\"hashes\":"
                    + array(tree.proofs().consistencyProof(from, to)) + "}");
        } else if ((m = TILE.matcher(path)).matches()) {
            long index = Long.parseLong(m.group(2).replace("x", "").replace("/", ""));
            int width = m.group(3) == null ? 256 : Integer.parseInt(m.group(3));
            return m.group(1).equals("entries")
                    ? Reply.bytes("application/octet-stream", bundle(server, index, width))
                    : Reply.bytes("application/octet-stream", tile(tree, Integer.parseInt(m.group(1)), index, width));
        }
        return Reply.notFound("not-found", "no route " + path);
    }

    static String appendResponse(Tree tree, long first, int count, boolean waitCheckpoint, byte[] checkpoint) {
        StringBuilder out = new StringBuilder("{\"entries\":[");
        for (long i = first; i < first + count; i++) {
            out.append(i == first ? "" : ",")
                    .append("{\"leafIndex\":")
                    .append(i)
                    .append(",\"leafHash\":\"")
                    .append(Rfc9162.leafHash(tree.entries.get((int) i)).base64())
                    .append('"');
            if (waitCheckpoint) {
                out.append(",\"inclusionProof\":")
                        .append(array(tree.proofs().inclusionProof(i, tree.size())))
                        .append(",\"proof\":")
                        .append(quote(tlogProof(tree, i, checkpoint)));
            }
            out.append('}');
        }
        out.append(']');
        if (waitCheckpoint) {
            out.append(",\"treeSize\":")
                    .append(tree.size())
                    .append(",\"checkpoint\":")
                    .append(quote(utf8(checkpoint)));
        }
        return out.append('}').toString();
    }

    /** C2SP tlog-proof@v1: header, index line, proof hashes, blank line, signed checkpoint. */
    static String tlogProof(Tree tree, long leafIndex, byte[] checkpoint) {
        StringBuilder out = new StringBuilder("c2sp.org/tlog-proof@v1\nindex ")
                .append(leafIndex)
                .append('\n');
        for (Hash hash : tree.proofs().inclusionProof(leafIndex, tree.size())) {
            out.append(hash.base64()).append('\n');
        }
        return out.append('\n').append(utf8(checkpoint)).toString();
    }

    private static byte[] tile(Tree tree, int level, long index, int width) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long k = 0; k < width; k++) {
            out.writeBytes(tree.nodes.get((level * 8) + "/" + (index * 256 + k)).bytes());
        }
        return out.toByteArray();
    }

    private static byte[] bundle(FakeLogServer server, long index, int width) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long k = 0; k < width; k++) {
            byte[] entry = server.bundleEntry(index * 256 + k);
            out.write(entry.length >>> 8);
            out.write(entry.length & 0xff);
            out.writeBytes(entry);
        }
        return out.toByteArray();
    }

    private static long indexOf(Tree tree, Hash leafHash) {
        for (int i = 0; i < tree.entries.size(); i++) {
            if (Rfc9162.leafHash(tree.entries.get(i)).equals(leafHash)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no leaf " + leafHash);
    }

    private static Reply text(byte[] body) {
        return Reply.bytes("text/plain; charset=utf-8", body);
    }

    private static String array(List<Hash> hashes) {
        return hashes.stream().map(h -> "\"" + h.base64() + "\"").collect(Collectors.joining(",", "[", "]"));
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
