package dev.indelible.bench.peer;

import java.util.List;

/**
 * One connection to a peer, used by one load thread. {@link #append} MUST return only once the
 * peer has acknowledged every event as durable in its strongest configured sense (Kafka: acks=all
 * with the topic's flush policy; PostgreSQL: committed with synchronous_commit=on), and MUST
 * throw otherwise.
 */
interface AppendClient extends AutoCloseable {
    /** Appends {@code events} as one request (one Kafka produce batch, one SQL transaction). */
    void append(List<byte[]> events) throws Exception;

    @Override
    void close() throws Exception;
}
