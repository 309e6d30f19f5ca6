package org.phrcloud.consent;

import java.time.Instant;
import java.util.List;

/**
 * A researcher's request for consent from patients drawn uniformly at random from those eligible ({@link ResearchDraw}).
 *
 * @param id             the study id (a UUID)
 * @param researcher     Keycloak user id of the researcher
 * @param researcherName their username
 * @param createdAt      when the patients were drawn and asked
 * @param eligibility    the FHIR search on Patient that defined who is eligible (empty: every patient)
 * @param eligible       how many distinct patients (pseudonyms) were eligible then
 * @param consentIds     the FHIR Consents asked for, one per patient drawn
 */
public record ResearchStudy(String id, String researcher, String researcherName, Instant createdAt, String eligibility, int eligible,
                            List<String> consentIds) {
    public ResearchStudy {
        consentIds = List.copyOf(consentIds);
    }
}
