package org.phrcloud.consent;

import java.util.Arrays;
import java.util.Optional;

/**
 * Who a consent opens the record to: one person (their Keycloak user id, the {@code sub} of their tokens) or every
 * care giver of an institution. In FHIR, {@code Consent.provision.actor.reference} is a logical reference by
 * identifier with the system of the kind.
 *
 * @param kind person or institution
 * @param id   the Keycloak user id, or the institution id (e.g. {@code north-clinic})
 */
public record Grantee(Kind kind, String id) {
    public enum Kind {
        PERSON("person", "https://phr-cloud.org/fhir/sid/keycloak-user"),
        INSTITUTION("institution", "https://phr-cloud.org/fhir/sid/institution");

        private final String code;
        private final String system;

        Kind(String code, String system) {
            this.code = code;
            this.system = system;
        }

        public String code() {
            return code;
        }

        /** The identifier system of the logical reference in FHIR. */
        public String system() {
            return system;
        }

        public static Optional<Kind> fromCode(String code) {
            return Arrays.stream(values()).filter(k -> k.code.equals(code)).findFirst();
        }
    }

    public Grantee {
        if (kind == null || id == null || id.isBlank()) {
            throw new IllegalArgumentException("PHR-CONSENT-0101: a grantee has a kind and an id");
        }
    }
}
