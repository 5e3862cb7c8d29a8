/**
 * JMH micro-benchmarks of indelible's per-event and per-batch hot paths: leaf hashing, Merkle
 * proofs, signed notes, event parsing and canonicalization, and segment appends. Run with {@code
 * java -jar indelible-bench/target/benchmarks.jar}; results are recorded in docs/BENCHMARKS.md.
 */
package dev.indelible.bench.micro;
