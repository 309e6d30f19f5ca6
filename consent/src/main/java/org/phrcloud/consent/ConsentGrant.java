package org.phrcloud.consent;

import java.util.Set;

/**
 * What one consent in force opens for its grantee, as the FHIR authorization needs it.
 *
 * @param consentId     the FHIR Consent
 * @param patientIds    the FHIR Patient ids of the patient (all linked to the pseudonym)
 * @param level         how much of each resource type in scope
 * @param resourceTypes the resource types in scope; {@link ConsentTerms#ALL_TYPES} alone for every type
 * @param emergency     whether it is an emergency access (purpose ETREAT): every request it opens is audited as such
 */
public record ConsentGrant(String consentId, Set<String> patientIds, AccessLevel level, Set<String> resourceTypes, boolean emergency) {
    /** A grant the patient approved. */
    public ConsentGrant(String consentId, Set<String> patientIds, AccessLevel level, Set<String> resourceTypes) {
        this(consentId, patientIds, level, resourceTypes, false);
    }

    /** Whether it opens resources of this type. */
    public boolean covers(String resourceType) {
        return resourceTypes.contains(ConsentTerms.ALL_TYPES) || resourceTypes.contains(resourceType);
    }

    public ConsentGrant {
        patientIds = Set.copyOf(patientIds);
        resourceTypes = Set.copyOf(resourceTypes);
    }
}
