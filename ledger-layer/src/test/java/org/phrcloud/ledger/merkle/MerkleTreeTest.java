package org.phrcloud.ledger.merkle;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MerkleTreeTest {
    private static final HexFormat HEX = HexFormat.of();

    /** The eight leaves of Certificate Transparency's reference Merkle tree tests (RFC 6962 / RFC 9162 hashing). */
    private static final List<byte[]> CT_LEAVES = List.of("", "00", "10", "2021", "3031", "40414243",
            "5051525354555657", "606162636465666768696a6b6c6d6e6f").stream().map(HEX::parseHex).toList();

    /** Their roots for tree sizes 1 to 8. */
    private static final List<String> CT_ROOTS = List.of(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    @Test
    void rootsMatchTheCertificateTransparencyTestVectors() {
        MerkleTree tree = new MerkleTree(CT_LEAVES);
        for (int n = 1; n <= 8; n++) {
            assertThat(HEX.formatHex(tree.root(n))).as("tree size %d", n).isEqualTo(CT_ROOTS.get(n - 1));
        }
        assertThat(HEX.formatHex(new MerkleTree(List.of()).root()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"); // SHA-256 of nothing
    }

    private static List<byte[]> leaves(int n) {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            leaves.add(("chain-head-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return leaves;
    }

    @Test
    void everyInclusionProofVerifiesAndATamperedOneDoesNot() {
        List<byte[]> leaves = leaves(20);
        MerkleTree tree = new MerkleTree(leaves);
        for (int n = 1; n <= 20; n++) {
            byte[] root = tree.root(n);
            for (int m = 0; m < n; m++) {
                InclusionProof proof = tree.inclusionProof(m, n);
                assertThat(proof.path().size()).isLessThanOrEqualTo(32 - Integer.numberOfLeadingZeros(n - 1) + 1);
                assertThat(proof.verify(leaves.get(m), root)).as("leaf %d of %d", m, n).isTrue();
                assertThat(proof.verify("another head".getBytes(), root)).isFalse();
                if (n > 1) {
                    assertThat(proof.verify(leaves.get((m + 1) % n), root)).isFalse();
                    List<byte[]> path = new ArrayList<>(proof.path());
                    byte[] flipped = path.get(0).clone();
                    flipped[0] ^= 1;
                    path.set(0, flipped);
                    assertThat(new InclusionProof(m, n, path).verify(leaves.get(m), root)).isFalse();
                    // the tree size is not bound by the path alone (RFC 9162 authenticates it in the signed
                    // tree head); an anchor therefore stores the root together with the tree size
                }
            }
        }
    }

    @Test
    void everyConsistencyProofVerifiesAndAChangedHistoryDoesNot() {
        List<byte[]> leaves = leaves(20);
        MerkleTree tree = new MerkleTree(leaves);
        List<byte[]> rewritten = new ArrayList<>(leaves);
        rewritten.set(0, "a rewritten first head".getBytes());
        MerkleTree forged = new MerkleTree(rewritten);
        for (int n = 1; n <= 20; n++) {
            for (int m = 1; m <= n; m++) {
                ConsistencyProof proof = tree.consistencyProof(m, n);
                assertThat(proof.verify(tree.root(m), tree.root(n))).as("%d -> %d", m, n).isTrue();
                if (m < n) {
                    // the later tree was built over a changed history: the old root is not a prefix of it
                    assertThat(forged.consistencyProof(m, n).verify(tree.root(m), forged.root(n))).isFalse();
                    assertThat(proof.verify(tree.root(m), forged.root(n))).isFalse();
                    assertThat(new ConsistencyProof(m, n, List.of()).verify(tree.root(m), tree.root(n))).isFalse();
                }
            }
        }
    }

    @Test
    void proofsOutsideTheTreeAreRefused() {
        MerkleTree tree = new MerkleTree(leaves(5));
        assertThatThrownBy(() -> tree.inclusionProof(5, 5)).hasMessageStartingWith("PHR-LEDGER-0104");
        assertThatThrownBy(() -> tree.inclusionProof(0, 6)).hasMessageStartingWith("PHR-LEDGER-0103");
        assertThatThrownBy(() -> tree.consistencyProof(0, 3)).hasMessageStartingWith("PHR-LEDGER-0102");
        assertThatThrownBy(() -> tree.consistencyProof(4, 3)).hasMessageStartingWith("PHR-LEDGER-0102");
    }
}
