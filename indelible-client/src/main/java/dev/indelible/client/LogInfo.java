package dev.indelible.client;

import dev.indelible.formats.merkle.Hash;

/**
 * What {@code GET /v1/logs/{log}} says about a log. Informational only: nothing here is signed;
 * verify the checkpoint instead of trusting {@code rootHash}.
 *
 * @param name the log name
 * @param origin the checkpoint origin line
 * @param treeSize the number of durable entries
 * @param rootHash the root hash of those entries
 * @param checkpointTreeSize the size of the latest published checkpoint, or -1 if none yet
 * @param verifierKey the log's note verifier key, {@code <name>+<hex key id>+<base64 key>}
 * @param dedupWindow how many of the log's most recent client ids (events' top-level string {@code
 *     "id"}) the server deduplicates retries against, in state that survives failovers and
 *     restarts: 100,000 on a cluster node and on a single node; 0 (a server that does not
 *     deduplicate) means an append with an unknown outcome must not be resent
 */
public record LogInfo(
        String name,
        String origin,
        long treeSize,
        Hash rootHash,
        long checkpointTreeSize,
        String verifierKey,
        int dedupWindow) {}
