package dev.indelible.bench.micro;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleProofs;
import dev.indelible.formats.merkle.MerkleVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * RFC 9162 §2.1.3 inclusion and §2.1.4 consistency proofs over a tree of {@value #TREE_SIZE}
 * leaves held in memory: generation by {@link MerkleProofs}, verification by {@link
 * MerkleVerifier}. Indices are drawn from a fixed-seed sequence of {@value #PROOFS} so that every
 * run measures the same proofs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MerkleProofBenchmark {
    static final int TREE_SIZE = 1 << 20;
    static final int PROOFS = 1024;

    private MerkleProofs proofs;
    private Hash root;
    private long[] leafIndices;
    private Hash[] leafHashes;
    private List<List<Hash>> inclusion;
    private long[] fromSizes;
    private Hash[] fromRoots;
    private List<List<Hash>> consistency;
    private int next;

    /** Builds the tree and a fixed set of proofs to verify. */
    @Setup(Level.Trial)
    public void setUp() {
        InMemoryTree tree = new InMemoryTree(TREE_SIZE);
        proofs = new MerkleProofs(tree);
        root = proofs.rootHash(TREE_SIZE);
        SplittableRandom random = new SplittableRandom(42);
        leafIndices = new long[PROOFS];
        leafHashes = new Hash[PROOFS];
        fromSizes = new long[PROOFS];
        fromRoots = new Hash[PROOFS];
        inclusion = new ArrayList<>();
        consistency = new ArrayList<>();
        for (int i = 0; i < PROOFS; i++) {
            leafIndices[i] = random.nextLong(TREE_SIZE);
            leafHashes[i] = tree.node(0, leafIndices[i]);
            inclusion.add(proofs.inclusionProof(leafIndices[i], TREE_SIZE));
            fromSizes[i] = 1 + random.nextLong(TREE_SIZE - 1);
            fromRoots[i] = proofs.rootHash(fromSizes[i]);
            consistency.add(proofs.consistencyProof(fromSizes[i], TREE_SIZE));
        }
    }

    private int nextProof() {
        next = (next + 1) & (PROOFS - 1);
        return next;
    }

    /** An inclusion proof for one leaf of the 2^20-leaf tree. */
    @Benchmark
    public List<Hash> inclusionProofGenerate() {
        return proofs.inclusionProof(leafIndices[nextProof()], TREE_SIZE);
    }

    /** A consistency proof from a random earlier size to 2^20. */
    @Benchmark
    public List<Hash> consistencyProofGenerate() {
        return proofs.consistencyProof(fromSizes[nextProof()], TREE_SIZE);
    }

    /** Verifies one inclusion proof (20 hashes). */
    @Benchmark
    public int inclusionProofVerify() {
        int i = nextProof();
        MerkleVerifier.verifyInclusion(leafIndices[i], TREE_SIZE, leafHashes[i], inclusion.get(i), root);
        return i;
    }

    /** Verifies one consistency proof. */
    @Benchmark
    public int consistencyProofVerify() {
        int i = nextProof();
        MerkleVerifier.verifyConsistency(fromSizes[i], TREE_SIZE, fromRoots[i], root, consistency.get(i));
        return i;
    }
}
