package org.phrcloud.ledger.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Merkle Tree Hash of RFC 9162 section 2.1.1 and the proofs of sections 2.1.3.1 (inclusion, PATH)
 * and 2.1.4.1 (consistency, PROOF), over an ordered list of leaves (byte strings).
 * <pre>
 *   MTH({})    = SHA-256()
 *   MTH({d0})  = SHA-256(0x00 || d0)
 *   MTH(D[n])  = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])),  k = the largest power of two smaller than n
 * </pre>
 * Hashes are 32 bytes. The recursion costs O(n) per root and O(n) per proof; callers that anchor many
 * trees keep their own leaf lists. Immutable and thread-safe.
 */
public final class MerkleTree {
    private final List<byte[]> leaves;

    public MerkleTree(List<byte[]> leaves) {
        this.leaves = leaves.stream().map(byte[]::clone).toList();
    }

    public int size() {
        return leaves.size();
    }

    /** @return MTH of all leaves */
    public byte[] root() {
        return hash(0, leaves.size());
    }

    /**
     * @return the root of the first {@code treeSize} leaves (an earlier version of this tree)
     * @throws IllegalArgumentException if treeSize is negative or above {@link #size()}
     */
    public byte[] root(int treeSize) {
        checkSize(treeSize);
        return hash(0, treeSize);
    }

    /** RFC 9162 section 2.1.3.1: the audit path of leaf {@code index} in the tree of the first {@code treeSize} leaves. */
    public InclusionProof inclusionProof(int index, int treeSize) {
        checkSize(treeSize);
        if (index < 0 || index >= treeSize) {
            throw new IllegalArgumentException("PHR-LEDGER-0104: leaf " + index + " is not in a tree of size " + treeSize);
        }
        List<byte[]> path = new ArrayList<>();
        path(index, 0, treeSize, path);
        return new InclusionProof(index, treeSize, path);
    }

    /** RFC 9162 section 2.1.4.1: the proof that the tree of size {@code first} is a prefix of the tree of size {@code second}. */
    public ConsistencyProof consistencyProof(int first, int second) {
        checkSize(second);
        if (first < 1 || first > second) {
            throw new IllegalArgumentException("PHR-LEDGER-0102: no consistency proof from " + first + " to " + second);
        }
        List<byte[]> proof = new ArrayList<>();
        if (first < second) {
            subproof(first, 0, second, true, proof);
        }
        return new ConsistencyProof(first, second, proof);
    }

    private void path(int m, int start, int n, List<byte[]> out) {
        if (n == 1) {
            return;
        }
        int k = largestPowerOfTwoBelow(n);
        if (m < k) {
            path(m, start, k, out);
            out.add(hash(start + k, n - k));
        } else {
            path(m - k, start + k, n - k, out);
            out.add(hash(start, k));
        }
    }

    private void subproof(int m, int start, int n, boolean b, List<byte[]> out) {
        if (m == n) {
            if (!b) {
                out.add(hash(start, n));
            }
            return;
        }
        int k = largestPowerOfTwoBelow(n);
        if (m <= k) {
            subproof(m, start, k, b, out);
            out.add(hash(start + k, n - k));
        } else {
            subproof(m - k, start + k, n - k, false, out);
            out.add(hash(start, k));
        }
    }

    /** MTH of leaves[start, start + n). */
    private byte[] hash(int start, int n) {
        if (n == 0) {
            return sha256(new byte[0]);
        }
        if (n == 1) {
            return leafHash(leaves.get(start));
        }
        int k = largestPowerOfTwoBelow(n);
        return nodeHash(hash(start, k), hash(start + k, n - k));
    }

    private void checkSize(int treeSize) {
        if (treeSize < 0 || treeSize > leaves.size()) {
            throw new IllegalArgumentException("PHR-LEDGER-0103: no tree of size " + treeSize + " (" + leaves.size() + " leaves)");
        }
    }

    static int largestPowerOfTwoBelow(int n) {
        return Integer.highestOneBit(n - 1);
    }

    /** SHA-256(0x00 || leaf) */
    public static byte[] leafHash(byte[] leaf) {
        return sha256((byte) 0x00, leaf);
    }

    /** SHA-256(0x01 || left || right) */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        byte[] both = new byte[left.length + right.length];
        System.arraycopy(left, 0, both, 0, left.length);
        System.arraycopy(right, 0, both, left.length, right.length);
        return sha256((byte) 0x01, both);
    }

    private static byte[] sha256(byte prefix, byte[] data) {
        byte[] all = new byte[data.length + 1];
        all[0] = prefix;
        System.arraycopy(data, 0, all, 1, data.length);
        return sha256(all);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
