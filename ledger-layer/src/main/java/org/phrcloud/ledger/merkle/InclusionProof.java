package org.phrcloud.ledger.merkle;

import java.security.MessageDigest;
import java.util.List;

/**
 * That a leaf is in a tree of a given size and root (RFC 9162 section 2.1.3). Verification needs nothing
 * but the leaf, the proof and the root, e.g. a root read from the anchor contract. The path does not
 * bind the tree size on its own; it must come from the same authenticated source as the root (the
 * anchor stores both).
 *
 * @param leafIndex 0-based index of the leaf
 * @param treeSize  number of leaves of the tree
 * @param path      the audit path, 32-byte hashes from the leaf's sibling upwards
 */
public record InclusionProof(int leafIndex, int treeSize, List<byte[]> path) {
    public InclusionProof {
        path = path.stream().map(byte[]::clone).toList();
    }

    /** RFC 9162 section 2.1.3.2. @return true only if the leaf with this proof hashes to the root */
    public boolean verify(byte[] leaf, byte[] root) {
        if (leafIndex < 0 || leafIndex >= treeSize) {
            return false;
        }
        long fn = leafIndex;
        long sn = treeSize - 1L;
        byte[] r = MerkleTree.leafHash(leaf);
        for (byte[] p : path) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = MerkleTree.nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = MerkleTree.nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }
}
