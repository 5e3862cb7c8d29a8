package dev.indelible.formats.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Property tests over trees of up to 2,048 leaves: every proof {@link MerkleProofs} builds verifies
 * with {@link MerkleVerifier}, and any corruption makes verification throw. jqwik prints the seed
 * of a failing run; rerun it with {@code @Property(seed = "...")}.
 */
class MerklePropertiesTest {
    static final int MAX_SIZE = 2048;
    static final TestTrees.MemoryTree TREE = TestTrees.tree(MAX_SIZE);
    static final MerkleProofs PROOFS = new MerkleProofs(TREE);

    static Hash root(long size) {
        return PROOFS.rootHash(size);
    }

    @Property(tries = 1000)
    void everyInclusionProofVerifies(
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int size,
            @ForAll @IntRange(min = 0, max = MAX_SIZE - 1) int index) {
        Assume.that(index < size);
        List<Hash> proof = PROOFS.inclusionProof(index, size);
        MerkleVerifier.verifyInclusion(index, size, TREE.leafHashes.get(index), proof, root(size));
        assertThat(proof.size()).isLessThanOrEqualTo(64 - Long.numberOfLeadingZeros(size - 1));
    }

    @Property(tries = 1000)
    void flippingABitInAnyInclusionInputIsRejected(
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int size,
            @ForAll @IntRange(min = 0, max = MAX_SIZE - 1) int index,
            @ForAll @IntRange(min = 0, max = 255) int bit) {
        Assume.that(index < size);
        Hash leaf = TREE.leafHashes.get(index);
        Hash root = root(size);
        List<Hash> proof = PROOFS.inclusionProof(index, size);
        for (int k = 0; k < proof.size(); k++) {
            List<Hash> wrong = new ArrayList<>(proof);
            wrong.set(k, TestTrees.flipBit(proof.get(k), bit));
            assertRejected(() -> MerkleVerifier.verifyInclusion(index, size, leaf, wrong, root));
        }
        assertRejected(() -> MerkleVerifier.verifyInclusion(index, size, TestTrees.flipBit(leaf, bit), proof, root));
        assertRejected(() -> MerkleVerifier.verifyInclusion(index, size, leaf, proof, TestTrees.flipBit(root, bit)));
    }

    @Property(tries = 1000)
    void addingOrRemovingAnInclusionProofElementIsRejected(
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int size,
            @ForAll @IntRange(min = 0, max = MAX_SIZE - 1) int index,
            @ForAll @IntRange(min = 0, max = 64) int position) {
        Assume.that(index < size);
        Hash leaf = TREE.leafHashes.get(index);
        Hash root = root(size);
        List<Hash> proof = PROOFS.inclusionProof(index, size);
        List<Hash> added = new ArrayList<>(proof);
        added.add(Math.min(position, proof.size()), root);
        assertRejected(() -> MerkleVerifier.verifyInclusion(index, size, leaf, added, root));
        if (!proof.isEmpty()) {
            List<Hash> removed = new ArrayList<>(proof);
            removed.remove(Math.min(position, proof.size() - 1));
            assertRejected(() -> MerkleVerifier.verifyInclusion(index, size, leaf, removed, root));
        }
    }

    @Property(tries = 1000)
    void anInclusionProofDoesNotVerifyForAnotherIndex(
            @ForAll @IntRange(min = 2, max = MAX_SIZE) int size,
            @ForAll @IntRange(min = 0, max = MAX_SIZE - 1) int index,
            @ForAll @IntRange(min = 0, max = MAX_SIZE - 1) int otherIndex) {
        Assume.that(index < size && otherIndex < size && otherIndex != index);
        List<Hash> proof = PROOFS.inclusionProof(index, size);
        Hash leaf = TREE.leafHashes.get(index);
        assertRejected(() -> MerkleVerifier.verifyInclusion(otherIndex, size, leaf, proof, root(size)));
        // Nor does the leaf at the other index verify with this proof.
        assertRejected(() ->
                MerkleVerifier.verifyInclusion(otherIndex, size, TREE.leafHashes.get(otherIndex), proof, root(size)));
    }

    /**
     * A proof for tree size n does not show inclusion in the genuine tree of another size m. (With
     * n's root instead of m's, a proof of the same shape can verify: the claimed "tree of size m"
     * then has root n's root, which no honest tree of size m has — nothing the verifier can see.)
     */
    @Property(tries = 1000)
    void anInclusionProofDoesNotVerifyAgainstTheTreeOfAnotherSize(
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int size,
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int otherSize,
            @ForAll @IntRange(min = 0, max = MAX_SIZE - 1) int index) {
        Assume.that(index < size && index < otherSize && otherSize != size);
        List<Hash> proof = PROOFS.inclusionProof(index, size);
        assertRejected(() ->
                MerkleVerifier.verifyInclusion(index, otherSize, TREE.leafHashes.get(index), proof, root(otherSize)));
    }

    @Property(tries = 1000)
    void everyConsistencyProofVerifies(
            @ForAll @IntRange(min = 0, max = MAX_SIZE) int from, @ForAll @IntRange(min = 0, max = MAX_SIZE) int to) {
        Assume.that(from <= to);
        MerkleVerifier.verifyConsistency(from, to, root(from), root(to), PROOFS.consistencyProof(from, to));
    }

    @Property(tries = 1000)
    void anyCorruptionOfANonTrivialConsistencyProofIsRejected(
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int from,
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int to,
            @ForAll @IntRange(min = 0, max = 255) int bit,
            @ForAll @IntRange(min = 0, max = 64) int position) {
        Assume.that(from < to);
        Hash r1 = root(from);
        Hash r2 = root(to);
        List<Hash> proof = PROOFS.consistencyProof(from, to);
        for (int k = 0; k < proof.size(); k++) {
            List<Hash> wrong = new ArrayList<>(proof);
            wrong.set(k, TestTrees.flipBit(proof.get(k), bit));
            assertRejected(() -> MerkleVerifier.verifyConsistency(from, to, r1, r2, wrong));
        }
        assertRejected(() -> MerkleVerifier.verifyConsistency(from, to, TestTrees.flipBit(r1, bit), r2, proof));
        assertRejected(() -> MerkleVerifier.verifyConsistency(from, to, r1, TestTrees.flipBit(r2, bit), proof));
        List<Hash> added = new ArrayList<>(proof);
        added.add(Math.min(position, proof.size()), r1);
        assertRejected(() -> MerkleVerifier.verifyConsistency(from, to, r1, r2, added));
        List<Hash> removed = new ArrayList<>(proof);
        removed.remove(Math.min(position, proof.size() - 1));
        assertRejected(() -> MerkleVerifier.verifyConsistency(from, to, r1, r2, removed));
    }

    @Property(tries = 1000)
    void aConsistencyProofDoesNotVerifyBetweenOtherGenuineSizes(
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int from,
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int to,
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int otherFrom,
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int otherTo) {
        Assume.that(from < to && otherFrom <= otherTo && (otherFrom != from || otherTo != to));
        List<Hash> proof = PROOFS.consistencyProof(from, to);
        assertRejected(
                () -> MerkleVerifier.verifyConsistency(otherFrom, otherTo, root(otherFrom), root(otherTo), proof));
    }

    @Property(tries = 200)
    void compactRangeRootEqualsProofBuilderRootEqualsNaiveRoot(@ForAll @IntRange(min = 0, max = MAX_SIZE) int size) {
        CompactRange range = new CompactRange();
        for (int i = 0; i < size; i++) {
            range.append(TREE.leafHashes.get(i), (l, idx, h) -> {});
        }
        Hash naive = TestTrees.naiveRoot(TREE.leafHashes, 0, size);
        assertThat(range.size()).isEqualTo(size);
        assertThat(range.rootHash()).isEqualTo(naive);
        assertThat(PROOFS.rootHash(size)).isEqualTo(naive);
    }

    @Property(tries = 200)
    void restoredCompactRangeContinuesLikeTheOriginal(
            @ForAll @IntRange(min = 0, max = MAX_SIZE) int size, @ForAll @IntRange(min = 0, max = 64) int more) {
        Assume.that(size + more <= MAX_SIZE);
        CompactRange restored = CompactRange.restore(size, TREE);
        assertThat(restored.size()).isEqualTo(size);
        assertThat(restored.rootHash()).isEqualTo(root(size));
        CompactRange copy = restored.copy();
        List<String> reported = new ArrayList<>();
        for (int i = size; i < size + more; i++) {
            restored.append(TREE.leafHashes.get(i), (level, index, hash) -> {
                assertThat(hash).isEqualTo(TREE.node(level, index));
                reported.add(level + "/" + index);
            });
        }
        assertThat(restored.rootHash()).isEqualTo(root(size + more));
        assertThat(reported).hasSizeGreaterThanOrEqualTo(more);
        assertThat(copy.size()).as("copy is independent").isEqualTo(size);
        assertThat(copy.rootHash()).isEqualTo(root(size));
    }

    private static void assertRejected(Runnable verification) {
        assertThatThrownBy(verification::run).isInstanceOf(ProofVerificationException.class);
    }
}
