package org.phrcloud.identity.mpi;

import java.util.Objects;

/**
 * A business identifier of a person, as FHIR R4 {@code Identifier}: a national id, or an institution's medical
 * record number (MRN).
 *
 * @param system the namespace URI (FHIR {@code Identifier.system}), e.g. {@code urn:oid:2.16.840.1.113883.4.1}
 * @param value  the identifier within that namespace (FHIR {@code Identifier.value})
 */
public record Identifier(String system, String value) {
    public Identifier {
        if (system == null || system.isBlank() || value == null || value.isBlank()) {
            throw new IllegalArgumentException("PHR-IDENTITY-0301: an identifier needs a system and a value");
        }
        Objects.requireNonNull(value);
    }
}
