package org.phrcloud.ledger.anchor;

import java.util.List;

/**
 * A patient's whole chain with the evidence of its anchors, as a JSON document a verifier can check with nothing
 * else but the institutions' public keys and a JSON-RPC node of the chain (ARCHITECTURE.md write path step 6).
 * Wire format {@value #FORMAT}; hashes and encodings in lower-case hex, signatures in Base64.
 *
 * @param format    {@value #FORMAT}
 * @param pseudonym the patient's pseudonym (hex SHA-256 of the public key)
 * @param blocks    every block from height 0, in order
 * @param anchors   every confirmed anchor that covers a head of this chain, oldest first
 */
public record ChainExport(String format, String pseudonym, List<ExportedBlock> blocks, List<ExportedAnchor> anchors) {
    public static final String FORMAT = "phr-chain-export/1";

    /**
     * @param encoding  the block's canonical encoding (format 1, see {@link org.phrcloud.ledger.chain.Block}), hex
     * @param signature the author institution's ECDSA P-256 signature (IEEE P1363, r || s) of the block hash, Base64
     */
    public record ExportedBlock(String encoding, String signature) {
    }

    /**
     * An anchor that covers the chain head at {@code height}.
     *
     * @param root        the RFC 9162 Merkle root the transaction sent
     * @param treeSize    leaves of that tree
     * @param chainId     EIP-155 chain id
     * @param contract    the AnchorRegistry address
     * @param txHash      the anchor transaction
     * @param blockNumber the chain block that holds it
     * @param height      the height of this chain's head in the tree
     * @param leafIndex   that head's leaf index
     * @param path        the head's RFC 9162 inclusion path to the root, from the leaf's sibling upwards
     */
    public record ExportedAnchor(String root, int treeSize, long chainId, String contract, String txHash,
                                 long blockNumber, long height, int leafIndex, List<String> path) {
    }
}
