package org.phrcloud.consent;

import org.phrcloud.core.caller.CallerContext;
import org.phrcloud.core.error.PhrError;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.model.DaoMethodOutcome;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Signature;
import org.hl7.fhir.r4.model.Task;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.mpi.PatientIdentity;
import org.phrcloud.identity.caller.Caller;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Access requests and the signed decisions about them (docs/ARCHITECTURE.md "Consent").
 *
 * <ul>
 *   <li>A request writes a FHIR {@code Task} (status requested, intent proposal, code {@code approve}, focus the
 *       Consent) and a FHIR {@code Consent} (status proposed) holding the terms: scope {@code patient-privacy}
 *       ({@code research} for purpose HRESCH), category LOINC 59284-0, policy rule OPTIN, and one permit provision
 *       with the period, the grantee as actor (role IRCP, logical reference by identifier, see {@link Grantee}),
 *       action {@code access}, the purpose, the resource types as {@code class} codes and the {@link AccessLevel}
 *       as an extension.</li>
 *   <li>A decision (approve, reject, revoke) must carry the ECDSA P-256 signature of the {@link DecisionDocument} by
 *       the patient's key registered in the master patient index, or by the key of a custodian of the patient
 *       ({@link Custodians}); a signature that does not verify is refused and nothing changes. The Consent gets its
 *       new status (active, rejected, inactive), the decider as performer, a {@code verification} entry, and the
 *       signature as extension {@value #SIGNATURE_EXTENSION} (a FHIR {@code Signature}, type Consent Signature, data
 *       the 64-byte P1363 signature); the Task becomes completed or rejected.</li>
 *   <li>Everything of one call (Consent, Task, index row, registry entry) commits in one database transaction,
 *       HAPI's; the Consent is in the patient's compartment, so the ledger chains each version.</li>
 * </ul>
 */
public class AccessRequests {
    public static final String SIGNATURE_EXTENSION = "https://phr-cloud.org/fhir/StructureDefinition/decision-signature";
    public static final String DECISION_SYSTEM = "https://phr-cloud.org/fhir/CodeSystem/consent-decision";

    private final ConsentStore store;
    private final ConsentIndex index;
    private final MasterPatientIndex mpi;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final Custodians custodians;
    private final org.phrcloud.audit.Auditor auditor;

    AccessRequests(ConsentStore store, Custodians custodians, org.phrcloud.audit.Auditor auditor) {
        this.store = store;
        this.index = store.index();
        this.mpi = store.mpi();
        this.clock = store.clock();
        this.transactions = store.transactions();
        this.custodians = custodians;
        this.auditor = auditor;
    }

    /**
     * Asks a patient for access.
     *
     * @param caller          a care giver (for themselves, or for one of their institutions) or a researcher (for
     *                        themselves, purpose HRESCH)
     * @param pseudonym       the patient
     * @param kind            person (the caller) or institution
     * @param institution     the institution, when {@code kind} is institution
     * @throws ConsentException 404 for an unknown pseudonym; 400 for types outside the Patient compartment,
     *                          a grantee or purpose the caller may not ask for, an end already past; 409 when the patient has no FHIR Patient
     */
    public ConsentRecord request(Caller caller, String pseudonym, Grantee.Kind kind, String institution, ConsentTerms terms) {
        if (terms.emergency()) {
            throw new ConsentException("PHR-CONSENT-0207: emergency access is declared (POST /api/consent/emergency), not asked for");
        }
        for (String type : terms.resourceTypes()) {
            store.requireCompartmentType(type);
        }
        Grantee grantee = grantee(caller, kind, institution, terms);
        String patientId = store.firstPatient(pseudonym);
        Instant now = clock.instant();
        if (!terms.end().isAfter(now)) {
            throw new ConsentException("PHR-CONSENT-0206: the grant would end before it is asked for");
        }
        SystemRequestDetails request = CallerContext.systemRequestAs(caller);
        return transactions.execute(status -> {
            DaoMethodOutcome consent = store.dao(Consent.class).create(ConsentStore.proposed(patientId, grantee, terms, now), request);
            String consentId = consent.getId().getIdPart();
            DaoMethodOutcome task = store.dao(Task.class).create(task(consentId, patientId, caller, terms, now), request);
            ConsentRecord record = new ConsentRecord(consentId, task.getId().getIdPart(), pseudonym, patientId, grantee,
                    caller.subject(), caller.username(), terms, ConsentRecord.Status.PENDING, now, null, null);
            store.jdbc(c -> {
                index.insert(c, record);
                store.registryState(record, consent.getId().getVersionIdPartAsLong()).enqueue(c, now);
                return null;
            });
            return record;
        });
    }

    /** The bytes the patient signs for {@code decision} about {@code consent} (see {@link DecisionDocument}). */
    public static byte[] document(ConsentRecord consent, Decision decision) {
        return DecisionDocument.of(consent.consentId(), consent.pseudonym(), consent.grantee(), consent.terms(), decision);
    }

    /**
     * Records the patient's signed decision.
     *
     * @param caller    the patient (their login linked to the consent's pseudonym)
     * @param signature the P1363 signature of {@link #document} by the patient's key
     * @throws ConsentException 404 for an unknown consent or one about someone else (nothing is revealed);
     *                          409 when the state does not allow the decision (approve and reject need pending,
     *                          revoke needs active and unexpired); 400 when the signature does not verify.
     *                          Every refusal about an existing consent is an AuditEvent (outcome 4) in the patient's
     *                          audit trail; a decision made is audited with its write.
     */
    public ConsentRecord decide(Caller caller, String consentId, Decision decision, byte[] signature) {
        try {
            return decideOrRefuse(caller, consentId, decision, signature);
        } catch (ConsentException e) {
            java.util.Optional<ConsentRecord> named = consentId == null ? java.util.Optional.empty() : index.find(consentId);
            if (named.isPresent()) {
                int status = PhrError.ofMessage(e.getMessage()).map(PhrError::status).orElse(500);
                auditor.refused(CallerContext.systemRequestAs(caller), "update", status + " " + e.getMessage(), Set.of(named.get().patientId()),
                        "Consent/" + consentId);
            }
            throw e;
        }
    }

    private ConsentRecord decideOrRefuse(Caller caller, String consentId, Decision decision, byte[] signature) {
        java.util.Optional<PatientIdentity> self = mpi.findByKeycloakUserId(caller.subject());
        Instant now = clock.instant();
        SystemRequestDetails request = CallerContext.systemRequestAs(caller);
        return transactions.execute(status -> {
            ConsentRecord current = store.jdbc(c -> index.lock(c, consentId)).orElseThrow(ConsentStore::notFound);
            byte[] publicKey;
            Reference decider;
            if (self.isPresent() && self.get().pseudonym().equals(current.pseudonym())) {
                publicKey = self.get().publicKey();
                decider = new Reference("Patient/" + current.patientId());
            } else if (caller.hasRole(PhrRole.FAMILY_DOCTOR) && index.wardsOf(caller.subject()).contains(current.pseudonym())) {
                if (current.requester().equals(caller.subject())
                        || current.grantee().kind() == Grantee.Kind.PERSON && current.grantee().id().equals(caller.subject())) {
                    throw new ConsentException("PHR-CONSENT-0305: a custodian does not decide about a consent they asked for or that names them");
                }
                publicKey = index.custodianKey("user_id", caller.subject()).orElseThrow(ConsentStore::notFound).publicKey();
                decider = Custodians.reference(caller);
            } else {
                throw ConsentStore.notFound();
            }
            ConsentRecord.Status state = current.state(now);
            boolean allowed = decision == Decision.REVOKE ? state == ConsentRecord.Status.ACTIVE : state == ConsentRecord.Status.PENDING;
            if (!allowed) {
                throw new ConsentException("PHR-CONSENT-0302: a " + state.code()
                        + " consent cannot be " + (decision == Decision.REVOKE ? "revoked" : decision.code() + "d"));
            }
            if (!DecisionDocument.verify(publicKey, document(current, decision), signature)) {
                throw new ConsentException("PHR-CONSENT-0303: the signature does not verify with the decider's registered key (the patient's, or their custodian's)");
            }
            ConsentRecord.Status next = switch (decision) {
                case APPROVE -> ConsentRecord.Status.ACTIVE;
                case REJECT -> ConsentRecord.Status.REJECTED;
                case REVOKE -> ConsentRecord.Status.REVOKED;
            };
            IFhirResourceDao<Consent> consents = store.dao(Consent.class);
            Consent consent = consents.read(new IdType("Consent", consentId), request);
            decided(consent, current.patientId(), decider, decision, signature, now);
            long version = consents.update(consent, request).getId().getVersionIdPartAsLong();
            if (decision != Decision.REVOKE && current.taskId() != null) {
                IFhirResourceDao<Task> tasks = store.dao(Task.class);
                Task task = tasks.read(new IdType("Task", current.taskId()), request);
                task.setStatus(decision == Decision.APPROVE ? Task.TaskStatus.COMPLETED : Task.TaskStatus.REJECTED);
                task.setLastModified(Date.from(now));
                tasks.update(task, request);
            }
            ConsentRecord decided = new ConsentRecord(current.consentId(), current.taskId(), current.pseudonym(), current.patientId(),
                    current.grantee(), current.requester(), current.requesterName(), current.terms(), next, current.requestedAt(), now,
                    caller.subject(), current.emergency());
            store.jdbc(c -> {
                index.decide(c, consentId, next, now, caller.subject());
                store.registryState(decided, version).enqueue(c, now);
                return null;
            });
            return decided;
        });
    }

    /** Every consent about the patient whose login this is, newest first; empty if the login is not linked. */
    public List<ConsentRecord> ofPatientLogin(String keycloakUserId) {
        return store.ofPatientLogin(keycloakUserId);
    }

    /** Every consent the caller asked for or is grantee of (directly or through an institution), newest first. */
    public List<ConsentRecord> ofParty(Caller caller) {
        return index.ofParty(caller.subject(), caller.institutions());
    }

    /** One consent, for the patient it is about, its requester or its grantee; otherwise 404. */
    public ConsentRecord visibleTo(Caller caller, String consentId) {
        ConsentRecord r = index.find(consentId).orElseThrow(ConsentStore::notFound);
        boolean patient = mpi.findByKeycloakUserId(caller.subject()).map(p -> p.pseudonym().equals(r.pseudonym())).orElse(false)
                || custodians.decidesFor(caller, r);
        boolean party = r.requester().equals(caller.subject())
                || (r.grantee().kind() == Grantee.Kind.PERSON && r.grantee().id().equals(caller.subject()))
                || (r.grantee().kind() == Grantee.Kind.INSTITUTION && caller.institutions().contains(r.grantee().id()));
        if (!patient && !party) {
            throw ConsentStore.notFound();
        }
        return r;
    }

    /**
     * What consents open for a caller right now: per consent in force, the FHIR Patient ids of its patient, the
     * level and the resource types.
     */
    public List<ConsentGrant> grantsInForce(Caller caller) {
        Instant now = clock.instant();
        Map<String, Set<String>> patientIds = new LinkedHashMap<>();
        return index.inForce(caller.subject(), caller.institutions(), now).stream()
                .map(r -> new ConsentGrant(r.consentId(), patientIds.computeIfAbsent(r.pseudonym(), mpi::patientIdsOf),
                        r.terms().level(), Set.copyOf(r.terms().resourceTypes()), r.terms().emergency()))
                .filter(g -> !g.patientIds().isEmpty())
                .toList();
    }

    private Grantee grantee(Caller caller, Grantee.Kind kind, String institution, ConsentTerms terms) {
        boolean researcher = !caller.isCareGiver() && caller.hasRole(PhrRole.RESEARCHER);
        if (researcher != "HRESCH".equals(terms.purpose())) {
            throw new ConsentException(researcher
                    ? "PHR-CONSENT-0203: researchers ask with purpose HRESCH (healthcare research)"
                    : "PHR-CONSENT-0203: care givers ask with purpose TREAT or CAREMGT; research is asked for by researchers");
        }
        if (kind == Grantee.Kind.PERSON) {
            return new Grantee(Grantee.Kind.PERSON, caller.subject());
        }
        if (researcher || institution == null || !caller.institutions().contains(institution)) {
            throw new ConsentException("PHR-CONSENT-0204: a care giver may ask for one of their own institutions only");
        }
        return new Grantee(Grantee.Kind.INSTITUTION, institution);
    }

    private static Task task(String consentId, String patientId, Caller caller, ConsentTerms terms, Instant now) {
        Task t = new Task();
        t.setStatus(Task.TaskStatus.REQUESTED);
        t.setIntent(Task.TaskIntent.PROPOSAL);
        t.setCode(new CodeableConcept(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "approve",
                "Activate/approve the focal resource")));
        t.setFocus(new Reference("Consent/" + consentId));
        t.setFor(new Reference("Patient/" + patientId));
        t.setOwner(new Reference("Patient/" + patientId));
        t.setAuthoredOn(Date.from(now));
        t.setLastModified(Date.from(now));
        t.setRequester(new Reference().setIdentifier(new Identifier().setSystem(Grantee.Kind.PERSON.system()).setValue(caller.subject()))
                .setDisplay(caller.username()));
        t.setReasonCode(new CodeableConcept(new Coding(ConsentTerms.PURPOSE_SYSTEM, terms.purpose(), null)));
        return t;
    }

    private static void decided(Consent consent, String patientId, Reference decider, Decision decision, byte[] signature, Instant now) {
        consent.setStatus(switch (decision) {
            case APPROVE -> Consent.ConsentState.ACTIVE;
            case REJECT -> Consent.ConsentState.REJECTED;
            case REVOKE -> Consent.ConsentState.INACTIVE;
        });
        consent.setDateTime(Date.from(now));
        consent.getPerformer().clear();
        consent.addPerformer(decider);
        consent.addVerification().setVerified(true).setVerifiedWith(decider).setVerificationDate(Date.from(now));
        Signature s = new Signature();
        s.addType(new Coding("urn:iso-astm:E1762-95:2013", "1.2.840.10065.1.12.1.7", "Consent Signature"));
        s.addType(new Coding(DECISION_SYSTEM, decision.code(), null));
        s.setWhenElement(new InstantType(Date.from(now)));
        s.setWho(decider);
        if (!decider.hasReference()) {
            s.setOnBehalfOf(new Reference("Patient/" + patientId)); // a custodian signs for the patient
        }
        s.setTargetFormat("application/json");
        s.setSigFormat("application/octet-stream");
        s.setData(signature);
        consent.addExtension(SIGNATURE_EXTENSION, s);
    }
}
