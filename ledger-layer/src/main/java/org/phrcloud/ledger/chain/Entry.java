package org.phrcloud.ledger.chain;

import java.util.Objects;

/**
 * One resource version recorded in a block.
 *
 * @param resourceType FHIR resource type, e.g. {@code Observation}
 * @param id           the resource's logical id
 * @param versionId    the version written ({@code meta.versionId})
 * @param operation    create, update or delete
 * @param contentHash  SHA-256 of the resource's canonical JSON, 32 bytes (of the deleted version for a delete)
 */
public record Entry(String resourceType, String id, String versionId, Operation operation, byte[] contentHash) {
    public Entry {
        Objects.requireNonNull(resourceType);
        Objects.requireNonNull(id);
        Objects.requireNonNull(versionId);
        Objects.requireNonNull(operation);
        if (contentHash == null || contentHash.length != 32) {
            throw new IllegalArgumentException("PHR-LEDGER-0201: an entry's content hash is 32 bytes");
        }
        contentHash = contentHash.clone();
    }

    @Override
    public byte[] contentHash() {
        return contentHash.clone();
    }
}
