package org.phrcloud.ledger.merkle;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * That the tree of size {@code first} is a prefix of the tree of size {@code second} (RFC 9162 section
 * 2.1.4): nothing anchored earlier was changed or dropped.
 *
 * @param first  size of the earlier tree (at least 1)
 * @param second size of the later tree
 * @param proof  the consistency proof, 32-byte hashes
 */
public record ConsistencyProof(int first, int second, List<byte[]> proof) {
    public ConsistencyProof {
        proof = proof.stream().map(byte[]::clone).toList();
    }

    /** RFC 9162 section 2.1.4.2. @return true only if both roots belong to trees where one extends the other */
    public boolean verify(byte[] firstRoot, byte[] secondRoot) {
        if (first < 1 || first > second) {
            return false;
        }
        if (first == second) {
            return proof.isEmpty() && MessageDigest.isEqual(firstRoot, secondRoot);
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(first) == 1) { // first is a power of two: prepend its root
            path.add(0, firstRoot);
        }
        long fn = first - 1L;
        long sn = second - 1L;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = MerkleTree.nodeHash(c, fr);
                sr = MerkleTree.nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                sr = MerkleTree.nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, firstRoot) && MessageDigest.isEqual(sr, secondRoot);
    }
}
