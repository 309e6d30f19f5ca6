package org.phrcloud.ledger.chain;

/**
 * Checks a block hash's signature against the registered public key of {@code keyId} (a verifier needs
 * nothing but the chain and the public keys, ARCHITECTURE.md "Write path" step 6).
 */
@FunctionalInterface
public interface SignatureCheck {
    /** @return true only if {@code keyId} is known and its key signed the hash */
    boolean isValid(String keyId, byte[] blockHash, byte[] signature);
}
