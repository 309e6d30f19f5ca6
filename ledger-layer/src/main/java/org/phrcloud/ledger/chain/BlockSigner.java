package org.phrcloud.ledger.chain;

/**
 * Signs a block hash with an institution's private key (ECDSA P-256, ARCHITECTURE.md). The ledger does
 * not hold keys or do the cryptography itself: the wiring passes in the identity layer's signer.
 */
@FunctionalInterface
public interface BlockSigner {
    /** @return the signature of the 32-byte block hash by the key {@code keyId} */
    byte[] sign(String keyId, byte[] blockHash);
}
