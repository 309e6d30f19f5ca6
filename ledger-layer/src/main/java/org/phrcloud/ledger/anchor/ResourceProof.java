package org.phrcloud.ledger.anchor;

import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.merkle.InclusionProof;

import java.security.MessageDigest;
import java.util.List;

/**
 * That a resource version is recorded in a patient's chain and covered by an anchor (ARCHITECTURE.md write path
 * step 6): the entry, its RFC 9162 inclusion proof in its block's entries root, the blocks from that block up to
 * the chain head the anchor names (each links the previous one's hash), and the head's inclusion proof in the
 * anchor's Merkle root. A verifier needs nothing else but the anchor transaction on chain (to trust the root)
 * and the institutions' public keys (for the block signatures).
 *
 * @param entry      the recorded entry
 * @param entryProof the entry's path to {@code blocks.get(0).entriesRoot()}
 * @param blocks     the entry's block first, then each following block up to the anchored head
 * @param anchor     the anchor that covers the head, or null when it is not anchored yet
 * @param leafProof  the head's path to the anchor root, or null when not anchored yet
 */
public record ResourceProof(Entry entry, InclusionProof entryProof, List<Block> blocks, Anchor anchor, InclusionProof leafProof) {
    /**
     * @param root        the Merkle root the anchor transaction sent
     * @param treeSize    leaves of that tree
     * @param txHash      the anchor transaction
     * @param blockNumber the chain block it was mined in
     */
    public record Anchor(long id, byte[] root, int treeSize, long chainId, String contract, String txHash, long blockNumber) {
    }

    /**
     * Checks everything but the chain transaction and the signatures: the entry is in the first block, the blocks
     * link, and (when anchored) the last block is the leaf the anchor root covers.
     */
    public boolean verifyOffline() {
        if (blocks.isEmpty() || !entryProof.verify(Block.entryEncoding(entry), blocks.get(0).entriesRoot())) {
            return false;
        }
        for (int i = 1; i < blocks.size(); i++) {
            if (!MessageDigest.isEqual(blocks.get(i).previousHash(), blocks.get(i - 1).hash())
                    || blocks.get(i).height() != blocks.get(i - 1).height() + 1) {
                return false;
            }
        }
        if (anchor == null) {
            return leafProof == null;
        }
        Block head = blocks.get(blocks.size() - 1);
        return leafProof != null && leafProof.treeSize() == anchor.treeSize()
                && leafProof.verify(new AnchorLeaf(head.pseudonym(), head.height(), head.hash()).bytes(), anchor.root());
    }
}
