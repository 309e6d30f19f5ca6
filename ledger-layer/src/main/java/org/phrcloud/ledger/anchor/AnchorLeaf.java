package org.phrcloud.ledger.anchor;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * One leaf of an anchor's Merkle tree: a chain head. Leaf bytes (hashed with the RFC 9162 leaf prefix by
 * {@link org.phrcloud.ledger.merkle.MerkleTree}): the pseudonym as 32 raw bytes | the height as a big-endian u64 |
 * the 32-byte block hash; 72 bytes. Leaves are ordered by pseudonym.
 */
public record AnchorLeaf(String pseudonym, long height, byte[] blockHash) {
    public byte[] bytes() {
        return ByteBuffer.allocate(72).put(HexFormat.of().parseHex(pseudonym)).putLong(height).put(blockHash).array();
    }
}
