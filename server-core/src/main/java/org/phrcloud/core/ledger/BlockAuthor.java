package org.phrcloud.core.ledger;

import org.phrcloud.identity.institution.InstitutionKey;
import org.phrcloud.identity.institution.InstitutionKeys;
import org.phrcloud.identity.keys.EcdsaP256;
import org.phrcloud.ledger.chain.BlockSigner;

import java.security.PrivateKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The institution this deployment belongs to ("each institution runs its own deployment", ARCHITECTURE.md
 * "Federation"), as the author of the blocks it appends: its current signing key id, and a {@link BlockSigner}
 * that signs with that key (ECDSA P-256, P1363 signatures). The institution gets a first key at start if it has none.
 */
public final class BlockAuthor {
    private final String institution;
    private final InstitutionKeys keys;
    private final Map<String, PrivateKey> privateKeys = new ConcurrentHashMap<>();

    public BlockAuthor(String institution, InstitutionKeys keys) {
        this.institution = institution;
        this.keys = keys;
        if (keys.current(institution).isEmpty()) {
            keys.rotate(institution);
        }
    }

    public String institution() {
        return institution;
    }

    /** The current key id (after a rotation, the new one). */
    public String keyId() {
        return keys.current(institution).map(InstitutionKey::keyId)
                .orElseThrow(() -> new IllegalStateException("PHR-LEDGER-0401: institution " + institution + " has no signing key"));
    }

    public BlockSigner signer() {
        return (keyId, blockHash) -> EcdsaP256.sign(privateKeys.computeIfAbsent(keyId, keys::signingKey), blockHash);
    }
}
