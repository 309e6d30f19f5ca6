package org.phrcloud.consent;

import java.util.Arrays;
import java.util.Optional;

/**
 * How much of the record in scope a consent opens (ARCHITECTURE.md "Read path"), weakest first. Codes of the
 * CodeSystem {@value #SYSTEM}, carried on {@code Consent.provision} as the extension {@value #EXTENSION}.
 */
public enum AccessLevel {
    /** Nothing. */
    NONE("none"),
    /** Aggregates only: counts ({@code _summary=count} searches) and Observation statistics ({@code Observation/$stats}: ranges, trends), never a single resource. */
    INFORMATION("information"),
    /** The latest {@value ConsentService#SAMPLE_SIZE} resources of a type, newest first, one page, nothing included. */
    SAMPLE("sample"),
    /** Everything in scope: read, search, history, includes. */
    FULL("full");

    public static final String SYSTEM = "https://phr-cloud.org/fhir/CodeSystem/access-level";
    public static final String EXTENSION = "https://phr-cloud.org/fhir/StructureDefinition/access-level";

    private final String code;

    AccessLevel(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static Optional<AccessLevel> fromCode(String code) {
        return Arrays.stream(values()).filter(l -> l.code.equals(code)).findFirst();
    }
}
