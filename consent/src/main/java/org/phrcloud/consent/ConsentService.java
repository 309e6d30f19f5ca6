package org.phrcloud.consent;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.springframework.transaction.PlatformTransactionManager;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The consent feature as the APIs and the authorization see it (docs/ARCHITECTURE.md "Consent"): one entry point
 * over its four concepts, {@link AccessRequests} (requests and signed decisions), {@link EmergencyAccess},
 * {@link Custodians} and {@link ResearchStudies}, which share a {@link ConsentStore}. Errors: {@link ConsentException}
 * with a {@code PHR-CONSENT-nnnn} code (its HTTP status is in the error catalog).
 */
public class ConsentService {
    /** How many resources of a type a {@link AccessLevel#SAMPLE} consent opens: the latest ones. */
    public static final int SAMPLE_SIZE = 5;
    public static final String SIGNATURE_EXTENSION = AccessRequests.SIGNATURE_EXTENSION;
    public static final String DECISION_SYSTEM = AccessRequests.DECISION_SYSTEM;
    public static final String EMERGENCY_REASON_EXTENSION = EmergencyAccess.EMERGENCY_REASON_EXTENSION;
    public static final String EMERGENCY_POLICY = EmergencyAccess.EMERGENCY_POLICY;
    public static final int MAX_STUDY_SIZE = ResearchStudies.MAX_STUDY_SIZE;
    public static final int MAX_ELIGIBLE = ResearchStudies.MAX_ELIGIBLE;

    private final ConsentStore store;
    private final AccessRequests requests;
    private final EmergencyAccess emergencies;
    private final Custodians custodians;
    private final ResearchStudies studies;

    /**
     * @param emergencyDuration how long an emergency access lasts (configuration {@code phr.emergency.hours})
     * @param matchUrls         HAPI's parser of FHIR search URLs (research eligibility)
     * @param institution       this deployment's institution id (part of the ConsentRegistry key)
     */
    public ConsentService(FhirContext fhir, DaoRegistry daos, PlatformTransactionManager transactionManager, ConsentIndex index,
                          MasterPatientIndex mpi, Clock clock, java.time.Duration emergencyDuration,
                          ca.uhn.fhir.jpa.searchparam.MatchUrlService matchUrls, String institution,
                          org.phrcloud.audit.Auditor auditor) {
        this.store = new ConsentStore(fhir, daos, transactionManager, index, mpi, clock, institution);
        this.custodians = new Custodians(store);
        this.requests = new AccessRequests(store, custodians, auditor);
        this.emergencies = new EmergencyAccess(store, emergencyDuration);
        this.studies = new ResearchStudies(store, requests, matchUrls);
    }

    /** Asks a patient for access ({@link AccessRequests#request}). */
    public ConsentRecord request(Caller caller, String pseudonym, Grantee.Kind kind, String institution, ConsentTerms terms) {
        return requests.request(caller, pseudonym, kind, institution, terms);
    }

    /** Records a signed decision ({@link AccessRequests#decide}). */
    public ConsentRecord decide(Caller caller, String consentId, Decision decision, byte[] signature) {
        return requests.decide(caller, consentId, decision, signature);
    }

    /** The bytes the decider signs for {@code decision} about {@code consent} (see {@link DecisionDocument}). */
    public static byte[] document(ConsentRecord consent, Decision decision) {
        return AccessRequests.document(consent, decision);
    }

    /** Every consent about the patient whose login this is, newest first. */
    public List<ConsentRecord> ofPatientLogin(String keycloakUserId) {
        return requests.ofPatientLogin(keycloakUserId);
    }

    /** Every consent the caller asked for or is grantee of, newest first. */
    public List<ConsentRecord> ofParty(Caller caller) {
        return requests.ofParty(caller);
    }

    /** One consent, for the patient it is about, its decider, requester or grantee; otherwise 404. */
    public ConsentRecord visibleTo(Caller caller, String consentId) {
        return requests.visibleTo(caller, consentId);
    }

    /** What consents open for a caller right now ({@link AccessRequests#grantsInForce}). */
    public List<ConsentGrant> grantsInForce(Caller caller) {
        return requests.grantsInForce(caller);
    }

    /** Declares an emergency access ({@link EmergencyAccess#emergency}). */
    public ConsentRecord emergency(Caller caller, String pseudonym, String reason) {
        return emergencies.emergency(caller, pseudonym, reason);
    }

    /** The emergency accesses to the record of the patient whose login this is, newest first. */
    public List<ConsentRecord> emergenciesOfPatientLogin(String keycloakUserId) {
        return emergencies.emergenciesOfPatientLogin(keycloakUserId);
    }

    /** A family doctor's custodian key ({@link Custodians#registerCustodianKey}). */
    public ConsentIndex.CustodianKey registerCustodianKey(Caller caller, byte[] spki) {
        return custodians.registerCustodianKey(caller, spki);
    }

    /** Links or unlinks a custodian ({@link Custodians#custodian}). */
    public void custodian(Caller admin, String pseudonym, String username, boolean link) {
        custodians.custodian(admin, pseudonym, username, link);
    }

    /** Every consent about the patients the caller is custodian of. */
    public List<ConsentRecord> ofCustodian(Caller caller) {
        return custodians.ofCustodian(caller);
    }

    /** Whether the caller may sign decisions about this consent ({@link Custodians#decidesFor}). */
    public boolean decidesFor(Caller caller, ConsentRecord r) {
        return custodians.decidesFor(caller, r);
    }

    /** Starts a research study ({@link ResearchStudies#study}). */
    public ResearchStudy study(Caller caller, String eligibility, int size, ConsentTerms terms) {
        return studies.study(caller, eligibility, size, terms);
    }

    /** A study of the caller's with its consents; 404 for anyone else's. */
    /** @see ResearchStudies#studiesOf */
    public List<Map.Entry<ResearchStudy, List<ConsentRecord>>> studiesOf(Caller caller) {
        return studies.studiesOf(caller);
    }

    public Map.Entry<ResearchStudy, List<ConsentRecord>> studyOf(Caller caller, String studyId) {
        return studies.studyOf(caller, studyId);
    }

    /** The consents of a study in force now ({@link ResearchStudies#researchPool}). */
    public List<ConsentRecord> researchPool(Caller caller, String studyId) {
        return studies.researchPool(caller, studyId);
    }

    /** The key of a consent in the on-chain ConsentRegistry: hex SHA-256 of {@code phr-consent:<institution>:<id>}. */
    public String registryKey(String consentId) {
        return store.registryKey(consentId);
    }
}
