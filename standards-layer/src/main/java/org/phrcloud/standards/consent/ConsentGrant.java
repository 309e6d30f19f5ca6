package org.phrcloud.standards.consent;

import java.util.Set;

/**
 * What one consent in force opens for its grantee, as the FHIR authorization needs it.
 *
 * @param consentId     the FHIR Consent
 * @param patientIds    the FHIR Patient ids of the patient (all linked to the pseudonym)
 * @param level         how much of each resource type in scope
 * @param resourceTypes the resource types in scope
 */
public record ConsentGrant(String consentId, Set<String> patientIds, AccessLevel level, Set<String> resourceTypes) {
    public ConsentGrant {
        patientIds = Set.copyOf(patientIds);
        resourceTypes = Set.copyOf(resourceTypes);
    }
}
