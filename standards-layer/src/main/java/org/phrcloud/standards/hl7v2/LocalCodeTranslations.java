package org.phrcloud.standards.hl7v2;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.TranslateConceptResult;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDaoConceptMap;
import ca.uhn.fhir.jpa.api.model.TranslationRequest;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Quantity;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Adds to every CodeableConcept of a message's resources the codes the operator's ConceptMaps
 * ({@link org.phrcloud.standards.fhir.terminology.TerminologyLoader}) give for its local codes (systems
 * {@value V2Datatypes#LOCAL_SYSTEM}NAME): e.g. a KOSTOM test code gets its LOINC code next to it. Only maps of
 * equivalence {@code equal} or {@code equivalent} are applied; the local coding stays first (what the sender said).
 * Units too: a Quantity in a local unit gets its UCUM code where a map gives one (OBX-6 that is not UCUM).
 * FHIR R4 ConceptMap $translate semantics (HAPI's JPA terminology service).
 */
final class LocalCodeTranslations {
    private static final Set<String> APPLIED = Set.of("equal", "equivalent");
    /** The Unified Code for Units of Measure, as FHIR names it ({@code http://unitsofmeasure.org}). */
    private static final String UCUM = V2Datatypes.system("UCUM");

    private final FhirContext fhir;
    private final IFhirResourceDaoConceptMap<ConceptMap> conceptMaps;

    LocalCodeTranslations(FhirContext fhir, IFhirResourceDaoConceptMap<ConceptMap> conceptMaps) {
        this.fhir = fhir;
        this.conceptMaps = conceptMaps;
    }

    void addTo(Bundle bundle) {
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            for (CodeableConcept concept : fhir.newTerser().getAllPopulatedChildElementsOfType(entry.getResource(), CodeableConcept.class)) {
                List<Coding> added = new ArrayList<>();
                for (Coding coding : concept.getCoding()) {
                    if (coding.getSystem() == null || !coding.getSystem().startsWith(V2Datatypes.LOCAL_SYSTEM)) {
                        continue;
                    }
                    TranslationRequest request = new TranslationRequest().addCode(coding.getSystem(), coding.getCode());
                    for (TranslateConceptResult r : conceptMaps.translate(request, new SystemRequestDetails()).getResults()) {
                        boolean known = concept.getCoding().stream().anyMatch(c -> r.getSystem().equals(c.getSystem()) && r.getCode().equals(c.getCode()))
                                || added.stream().anyMatch(c -> r.getSystem().equals(c.getSystem()) && r.getCode().equals(c.getCode()));
                        if (!known && r.getEquivalence() != null && APPLIED.contains(r.getEquivalence())) {
                            added.add(new Coding(r.getSystem(), r.getCode(), r.getDisplay()));
                        }
                    }
                }
                added.forEach(concept::addCoding);
            }
            for (Quantity quantity : fhir.newTerser().getAllPopulatedChildElementsOfType(entry.getResource(), Quantity.class)) {
                ucum(quantity);
            }
        }
    }

    /**
     * A quantity whose unit is a sender's local code (OBX-6 with a local coding system) gets the UCUM code a ConceptMap
     * gives for it ({@code equal} or {@code equivalent}): system UCUM and the code replace the local ones, while
     * {@code unit} keeps the sender's text (FHIR R4 Quantity: {@code unit} is the human-readable form, {@code system} and
     * {@code code} the coded one). Without such a map the local unit stays as it came.
     */
    private void ucum(Quantity quantity) {
        if (!quantity.hasSystem() || !quantity.getSystem().startsWith(V2Datatypes.LOCAL_SYSTEM) || !quantity.hasCode()) {
            return;
        }
        TranslationRequest request = new TranslationRequest().addCode(quantity.getSystem(), quantity.getCode());
        for (TranslateConceptResult r : conceptMaps.translate(request, new SystemRequestDetails()).getResults()) {
            if (UCUM.equals(r.getSystem()) && r.getEquivalence() != null && APPLIED.contains(r.getEquivalence())) {
                if (!quantity.hasUnit()) {
                    quantity.setUnit(quantity.getCode());
                }
                quantity.setSystem(UCUM).setCode(r.getCode());
                return;
            }
        }
    }
}
