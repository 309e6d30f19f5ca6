package org.phrcloud.consent;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.Consent;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.caller.Caller;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Research studies (docs/ARCHITECTURE.md "Consent", "Research data sets"): a researcher's eligibility search on
 * Patient finds the eligible people (pseudonyms), {@link ResearchDraw} draws a simple random sample of them, and
 * each is asked for consent with purpose HRESCH through {@link AccessRequests}; the approvals in force form the
 * study's research pool.
 */
public class ResearchStudies {
    /** The most patients a research study asks at once. */
    public static final int MAX_STUDY_SIZE = 1000;
    /** The most patients an eligibility search may find (they are loaded to be drawn from). */
    public static final int MAX_ELIGIBLE = 10_000;

    private final ConsentStore store;
    private final ConsentIndex index;
    private final MasterPatientIndex mpi;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final AccessRequests requests;
    private final FhirContext fhir;
    private final ca.uhn.fhir.jpa.searchparam.MatchUrlService matchUrls;

    ResearchStudies(ConsentStore store, AccessRequests requests, ca.uhn.fhir.jpa.searchparam.MatchUrlService matchUrls) {
        this.store = store;
        this.index = store.index();
        this.mpi = store.mpi();
        this.clock = store.clock();
        this.transactions = store.transactions();
        this.requests = requests;
        this.fhir = store.fhir();
        this.matchUrls = matchUrls;
    }

    /**
     * A research study: asks for consent from {@code size} patients drawn uniformly at random ({@link ResearchDraw})
     * from the patients (people, i.e. pseudonyms, not records) that {@code eligibility} finds; one transaction for
     * all the requests. The approvals in force form the study's research pool ({@link #researchPool}).
     *
     * @param caller      a researcher
     * @param eligibility a FHIR search on Patient (R4 search, e.g. {@code gender=female&_has:Condition:subject:code=
     *                    http://snomed.info/sct|44054006}); empty or null: every patient
     * @param size        1 to {@value #MAX_STUDY_SIZE}
     * @param terms       purpose HRESCH, resource types of the Patient compartment
     * @throws ConsentException 400 for a caller who is not a researcher, a purpose other than HRESCH, a size out of
     *                          range or above the number eligible, an eligibility that is no valid Patient search or
     *                          finds more than {@value #MAX_ELIGIBLE}
     */
    public ResearchStudy study(Caller caller, String eligibility, int size, ConsentTerms terms) {
        if (caller.isCareGiver() || !caller.hasRole(PhrRole.RESEARCHER)) {
            throw new ConsentException("PHR-CONSENT-0211: research studies are run by researchers");
        }
        if (!"HRESCH".equals(terms.purpose())) {
            throw new ConsentException("PHR-CONSENT-0203: researchers ask with purpose HRESCH (healthcare research)");
        }
        if (size < 1 || size > MAX_STUDY_SIZE) {
            throw new ConsentException("PHR-CONSENT-0212: a study asks 1 to " + MAX_STUDY_SIZE + " patients");
        }
        for (String type : terms.resourceTypes()) {
            store.requireCompartmentType(type);
        }
        String query = eligibility == null ? "" : eligibility.strip();
        query = query.startsWith("?") ? query.substring(1) : query;
        Set<String> eligible = eligiblePseudonyms(query);
        List<String> drawn;
        try {
            drawn = ResearchDraw.draw(eligible, size);
        } catch (IllegalArgumentException e) {
            throw new ConsentException("PHR-CONSENT-0210: only " + eligible.size()
                    + " patients are eligible, fewer than the " + size + " asked for");
        }
        String criteria = query;
        return transactions.execute(status -> {
            List<String> consentIds = new java.util.ArrayList<>();
            for (String pseudonym : drawn) {
                consentIds.add(requests.request(caller, pseudonym, Grantee.Kind.PERSON, null, terms).consentId());
            }
            ResearchStudy study = new ResearchStudy(java.util.UUID.randomUUID().toString(), caller.subject(), caller.username(),
                    clock.instant(), criteria, eligible.size(), consentIds);
            store.jdbc(c -> {
                index.insertStudy(c, study);
                return null;
            });
            return study;
        });
    }

    /** The caller's studies, newest first, each with its consents as they stand. */
    public List<Map.Entry<ResearchStudy, List<ConsentRecord>>> studiesOf(Caller caller) {
        return index.studyIdsOf(caller.subject()).stream().map(id -> studyOf(caller, id)).toList();
    }

    /** A study of the caller's, with its consents as they stand; 404 for anyone else's. */
    public Map.Entry<ResearchStudy, List<ConsentRecord>> studyOf(Caller caller, String studyId) {
        ResearchStudy study = index.findStudy(studyId).filter(s -> s.researcher().equals(caller.subject()))
                .orElseThrow(() -> new ConsentException("PHR-CONSENT-0304: no such study for this caller"));
        return Map.entry(study, index.ofStudy(studyId));
    }

    /**
     * The research pool of a study: its consents the patients approved that are in force now (what the research export
     * may use, each at its level and resource types).
     */
    public List<ConsentRecord> researchPool(Caller caller, String studyId) {
        Instant now = clock.instant();
        return studyOf(caller, studyId).getValue().stream().filter(r -> r.inForce(now)).toList();
    }

    private Set<String> eligiblePseudonyms(String query) {
        if (query.length() > 2000) {
            throw new ConsentException("PHR-CONSENT-0213: the eligibility search is at most 2000 characters");
        }
        List<String> ids;
        try {
            ca.uhn.fhir.jpa.searchparam.SearchParameterMap map = matchUrls.translateMatchUrl("Patient?" + query,
                    fhir.getResourceDefinition("Patient"));
            map.setLoadSynchronous(true);
            map.setLoadSynchronousUpTo(MAX_ELIGIBLE + 1);
            ids = store.dao(org.hl7.fhir.r4.model.Patient.class).search(map, new SystemRequestDetails()).getAllResourceIds();
        } catch (ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException | DataFormatException | IllegalArgumentException e) {
            throw new ConsentException("PHR-CONSENT-0213: the eligibility is a FHIR search on Patient: "
                    + e.getMessage());
        }
        if (ids.size() > MAX_ELIGIBLE) {
            throw new ConsentException("PHR-CONSENT-0214: more than " + MAX_ELIGIBLE
                    + " patients are eligible; narrow the eligibility search");
        }
        Set<String> pseudonyms = new TreeSet<>();
        for (String id : ids) {
            mpi.pseudonymOfPatient(id).ifPresent(pseudonyms::add);
        }
        return pseudonyms;
    }
}
