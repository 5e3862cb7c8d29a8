package dev.indelible.formats.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Known answers for the eight standard RFC 6962 test leaves, copied as data from
 * transparency-dev/merkle {@code proof/verify_test.go} (which inherited them from the
 * certificate-transparency reference implementation). Negative probes mirror that file's
 * {@code corruptInclusionProof} and {@code corruptConsistencyProof}.
 */
class MerkleKnownAnswerTest {
    static final String[] LEAVES = {
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"
    };
    static final String[] ROOTS = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };
    static final Hash SOME_HASH = Hash.fromHex("abacaba000000000000000000000000000000000000000000060061e00123456");
    static final Hash EMPTY_TREE = Hash.fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    /** {leaf index (1-based, as in the Go file), tree size, proof...}. */
    record InclusionVector(long leaf, long size, List<Hash> proof) {}

    /** {from size, to size, proof...}. */
    record ConsistencyVector(long from, long to, List<Hash> proof) {}

    static final List<InclusionVector> INCLUSION = List.of(
            new InclusionVector(1, 1, List.of()),
            new InclusionVector(
                    1,
                    8,
                    hashes(
                            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
            new InclusionVector(
                    6,
                    8,
                    hashes(
                            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
            new InclusionVector(3, 3, hashes("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
            new InclusionVector(
                    2,
                    5,
                    hashes(
                            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")));

    static final List<ConsistencyVector> CONSISTENCY = List.of(
            new ConsistencyVector(1, 1, List.of()),
            new ConsistencyVector(
                    1,
                    8,
                    hashes(
                            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
            new ConsistencyVector(
                    6,
                    8,
                    hashes(
                            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
            new ConsistencyVector(
                    2,
                    5,
                    hashes(
                            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
            new ConsistencyVector(
                    6,
                    7,
                    hashes(
                            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")));

    static List<Hash> hashes(String... hex) {
        return List.of(hex).stream().map(Hash::fromHex).toList();
    }

    static TestTrees.MemoryTree standardTree() {
        TestTrees.MemoryTree tree = new TestTrees.MemoryTree();
        for (String leaf : LEAVES) {
            tree.append(HexFormat.of().parseHex(leaf));
        }
        return tree;
    }

    static Hash root(long size) {
        return Hash.fromHex(ROOTS[(int) size - 1]);
    }

    @Test
    void emptyTreeRootIsSha256OfTheEmptyString() {
        assertThat(Rfc9162.EMPTY_ROOT).isEqualTo(EMPTY_TREE);
        assertThat(new MerkleProofs((l, i) -> {
                            throw new AssertionError("no node of the empty tree exists");
                        })
                        .rootHash(0))
                .isEqualTo(EMPTY_TREE);
        assertThat(new CompactRange().rootHash()).isEqualTo(EMPTY_TREE);
    }

    @Test
    void rootsOfEveryPrefixOfTheStandardLeavesMatchPublishedRoots() {
        TestTrees.MemoryTree tree = standardTree();
        MerkleProofs proofs = new MerkleProofs(tree);
        CompactRange range = new CompactRange();
        for (int size = 1; size <= 8; size++) {
            range.append(tree.leafHashes.get(size - 1), (l, i, h) -> {});
            assertThat(proofs.rootHash(size)).as("size %d", size).isEqualTo(root(size));
            assertThat(range.rootHash()).as("compact range size %d", size).isEqualTo(root(size));
            assertThat(TestTrees.naiveRoot(tree.leafHashes, 0, size)).isEqualTo(root(size));
        }
    }

    @Test
    void publishedInclusionProofsAreGeneratedAndVerified() {
        MerkleProofs proofs = new MerkleProofs(standardTree());
        for (InclusionVector v : INCLUSION) {
            long index = v.leaf() - 1;
            Hash leafHash = Rfc9162.leafHash(HexFormat.of().parseHex(LEAVES[(int) index]));
            assertThat(proofs.inclusionProof(index, v.size())).as("%s", v).isEqualTo(v.proof());
            assertThat(MerkleVerifier.rootFromInclusionProof(index, v.size(), leafHash, v.proof()))
                    .isEqualTo(root(v.size()));
            MerkleVerifier.verifyInclusion(index, v.size(), leafHash, v.proof(), root(v.size()));
        }
    }

    @Test
    void publishedConsistencyProofsAreGeneratedAndVerified() {
        MerkleProofs proofs = new MerkleProofs(standardTree());
        for (ConsistencyVector v : CONSISTENCY) {
            assertThat(proofs.consistencyProof(v.from(), v.to())).as("%s", v).isEqualTo(v.proof());
            MerkleVerifier.verifyConsistency(v.from(), v.to(), root(v.from()), root(v.to()), v.proof());
        }
    }

    @Test
    void corruptedPublishedInclusionProofsAreRejected() {
        for (InclusionVector v : INCLUSION) {
            long i = v.leaf() - 1;
            long n = v.size();
            Hash leaf = Rfc9162.leafHash(HexFormat.of().parseHex(LEAVES[(int) i]));
            Hash root = root(n);
            List<Hash> p = v.proof();
            List<Runnable> probes = new ArrayList<>(List.of(
                    () -> MerkleVerifier.verifyInclusion(i - 1, n, leaf, p, root),
                    () -> MerkleVerifier.verifyInclusion(i + 1, n, leaf, p, root),
                    () -> MerkleVerifier.verifyInclusion(i ^ 2, n, leaf, p, root),
                    () -> MerkleVerifier.verifyInclusion(i, n * 2, leaf, p, root),
                    () -> MerkleVerifier.verifyInclusion(i, n / 2, leaf, p, root),
                    () -> MerkleVerifier.verifyInclusion(i, n, Rfc9162.leafHash(new byte[] {1}), p, root),
                    () -> MerkleVerifier.verifyInclusion(i, n, leaf, p, EMPTY_TREE),
                    () -> MerkleVerifier.verifyInclusion(i, n, leaf, p, SOME_HASH),
                    () -> MerkleVerifier.verifyInclusion(i, n, leaf, append(p, root), root),
                    () -> MerkleVerifier.verifyInclusion(i, n, leaf, prepend(root, p), root)));
            for (int k = 0; k < p.size(); k++) {
                List<Hash> wrong = new ArrayList<>(p);
                wrong.set(k, TestTrees.flipBit(p.get(k), 3));
                probes.add(() -> MerkleVerifier.verifyInclusion(i, n, leaf, wrong, root));
            }
            if (!p.isEmpty()) {
                probes.add(() -> MerkleVerifier.verifyInclusion(i, n, leaf, p.subList(0, p.size() - 1), root));
            }
            if (p.size() > 1) {
                List<Hash> inserted = new ArrayList<>(p);
                inserted.add(1, SOME_HASH);
                probes.add(() -> MerkleVerifier.verifyInclusion(i, n, leaf, inserted, root));
            }
            for (int k = 0; k < probes.size(); k++) {
                assertThatThrownBy(probes.get(k)::run)
                        .as("probe %d of %s", k, v)
                        .isInstanceOf(ProofVerificationException.class);
            }
        }
    }

    @Test
    void corruptedPublishedConsistencyProofsAreRejected() {
        for (ConsistencyVector v : CONSISTENCY) {
            List<Hash> p = v.proof();
            if (p.isEmpty()) {
                continue;
            }
            long m = v.from();
            long n = v.to();
            Hash r1 = root(m);
            Hash r2 = root(n);
            List<Runnable> probes = new ArrayList<>(List.of(
                    () -> MerkleVerifier.verifyConsistency(m - 1, n, r1, r2, p),
                    () -> MerkleVerifier.verifyConsistency(m + 1, n, r1, r2, p),
                    () -> MerkleVerifier.verifyConsistency(m ^ 2, n, r1, r2, p),
                    () -> MerkleVerifier.verifyConsistency(m, n * 2, r1, r2, p),
                    () -> MerkleVerifier.verifyConsistency(m, n / 2, r1, r2, p),
                    () -> MerkleVerifier.verifyConsistency(m, n, SOME_HASH, r2, p),
                    () -> MerkleVerifier.verifyConsistency(m, n, r1, SOME_HASH, p),
                    () -> MerkleVerifier.verifyConsistency(m, n, r2, r1, p),
                    () -> MerkleVerifier.verifyConsistency(m, n, r1, r2, List.of()),
                    () -> MerkleVerifier.verifyConsistency(m, n, r1, r2, append(p, r1)),
                    () -> MerkleVerifier.verifyConsistency(m, n, r1, r2, append(p, r2)),
                    () -> MerkleVerifier.verifyConsistency(m, n, r1, r2, prepend(r1, p)),
                    () -> MerkleVerifier.verifyConsistency(m, n, r1, r2, prepend(r2, p)),
                    () -> MerkleVerifier.verifyConsistency(m, n, r1, r2, prepend(p.get(0), p)),
                    () -> MerkleVerifier.verifyConsistency(m, n, r1, r2, p.subList(0, p.size() - 1))));
            for (int k = 0; k < p.size(); k++) {
                List<Hash> wrong = new ArrayList<>(p);
                wrong.set(k, TestTrees.flipBit(p.get(k), 4));
                probes.add(() -> MerkleVerifier.verifyConsistency(m, n, r1, r2, wrong));
            }
            for (int k = 0; k < probes.size(); k++) {
                Runnable probe = probes.get(k);
                assertThatThrownBy(probe::run)
                        .as("probe %d of %s", k, v)
                        .isInstanceOf(ProofVerificationException.class);
            }
        }
    }

    @Test
    void trivialConsistencyCasesFollowTheReferenceTable() {
        Hash a = SOME_HASH;
        Hash b = EMPTY_TREE;
        assertThatCode(() -> MerkleVerifier.verifyConsistency(0, 0, a, a, List.of()))
                .doesNotThrowAnyException();
        assertThatCode(() -> MerkleVerifier.verifyConsistency(0, 1, a, b, List.of()))
                .doesNotThrowAnyException();
        assertThatCode(() -> MerkleVerifier.verifyConsistency(1, 1, b, b, List.of()))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(0, 0, a, b, List.of()))
                .isInstanceOf(ProofVerificationException.class);
        assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(1, 1, a, b, List.of()))
                .isInstanceOf(ProofVerificationException.class);
        assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(1, 0, a, b, List.of()))
                .isInstanceOf(ProofVerificationException.class);
        assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(2, 1, a, b, List.of()))
                .isInstanceOf(ProofVerificationException.class);
        assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(1, 2, a, b, List.of()))
                .isInstanceOf(ProofVerificationException.class);
        for (long[] sizes : new long[][] {{0, 0}, {0, 1}, {1, 1}}) {
            assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(sizes[0], sizes[1], b, b, List.of(b)))
                    .hasMessageContaining("must be empty, has 1 hashes");
        }
    }

    @Test
    void inclusionVerificationRejectsIndexesOutsideTheTree() {
        for (long[] p : new long[][] {{0, 0}, {1, 0}, {2, 1}, {-1, 5}}) {
            assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(p[0], p[1], SOME_HASH, List.of(), EMPTY_TREE))
                    .isInstanceOf(ProofVerificationException.class)
                    .hasMessageContaining("outside tree size");
        }
    }

    @Test
    void singleLeafTreeRootIsTheLeafHashWithAnEmptyProof() {
        Hash leaf = Rfc9162.leafHash("data".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        MerkleVerifier.verifyInclusion(0, 1, leaf, List.of(), leaf);
        assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(0, 1, leaf, List.of(), EMPTY_TREE))
                .hasMessageContaining("want " + EMPTY_TREE.base64());
    }

    private static List<Hash> append(List<Hash> proof, Hash extra) {
        List<Hash> out = new ArrayList<>(proof);
        out.add(extra);
        return out;
    }

    private static List<Hash> prepend(Hash extra, List<Hash> proof) {
        List<Hash> out = new ArrayList<>();
        out.add(extra);
        out.addAll(proof);
        return out;
    }
}
