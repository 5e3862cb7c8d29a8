/**
 * Load drivers that run {@code indelible bench}'s workload against the peers of the side-by-side
 * comparison (bench/compare.sh): Apache Kafka ({@link dev.indelible.bench.peer.KafkaLoad}) and a
 * hash-chained PostgreSQL table ({@link dev.indelible.bench.peer.PostgresLoad}). They share the
 * event generator, the open-loop pacing, the latency accounting and the JSON result line with
 * {@code indelible bench}, so the numbers compare like for like.
 */
package dev.indelible.bench.peer;
