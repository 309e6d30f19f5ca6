package org.phrcloud.ledger.chain;

/**
 * Checks a block hash's signature against the registered public key of {@code keyId} (a verifier needs
 * nothing but the chain and the public keys, ARCHITECTURE.md "Write path" step 6).
 */
@FunctionalInterface
public interface SignatureCheck {
    /** @return true only if {@code keyId} is known and its key signed the hash */
    boolean isValid(String keyId, byte[] blockHash, byte[] signature);

    /**
     * Whether {@code signature} is the ECDSA P-256 signature of SHA-256 of {@code blockHash} by {@code key}, in the
     * P1363 form (r || s, 64 bytes) the blocks carry (JCA {@code SHA256withECDSAinP1363Format}).
     */
    static boolean verifies(java.security.PublicKey key, byte[] blockHash, byte[] signature) {
        try {
            java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
            verifier.initVerify(key);
            verifier.update(blockHash);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }
}
