package org.phrcloud.consent;

import org.phrcloud.core.caller.CallerContext;
import org.phrcloud.core.error.PhrError;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.model.DaoMethodOutcome;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Signature;
import org.hl7.fhir.r4.model.Task;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.mpi.PatientIdentity;
import org.phrcloud.identity.caller.Caller;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Access requests and the patient's signed decisions (ARCHITECTURE.md "Consent").
 *
 * <ul>
 *   <li>A request writes a FHIR {@code Task} (status requested, intent proposal, code {@code approve}, focus the
 *       Consent) and a FHIR {@code Consent} (status proposed) holding the terms: scope {@code patient-privacy}
 *       ({@code research} for purpose HRESCH), category LOINC 59284-0, policy rule OPTIN, and one permit provision
 *       with the period, the grantee as actor (role IRCP, logical reference by identifier, see {@link Grantee}),
 *       action {@code access}, the purpose, the resource types as {@code class} codes and the {@link AccessLevel}
 *       as an extension.</li>
 *   <li>A decision (approve, reject, revoke) must carry the patient's ECDSA P-256 signature of the
 *       {@link DecisionDocument}, checked against the public key registered in the master patient index; a
 *       signature that does not verify is refused and nothing changes. The Consent gets its new status
 *       (active, rejected, inactive), the patient as performer, a {@code verification} entry, and the signature
 *       as extension {@value #SIGNATURE_EXTENSION} (a FHIR {@code Signature}, type Consent Signature, data the 64-byte
 *       P1363 signature); the Task becomes completed or rejected.</li>
 *   <li>Everything of one call (Consent, Task, index row) commits in one database transaction, HAPI's; the
 *       Consent is in the patient's compartment, so the ledger chains each version and it is anchored. Each state
 *       (pending, active, rejected, revoked) is also queued for the on-chain ConsentRegistry (pseudonym, SHA-256 of
 *       the grantee, SHA-256 of the canonical terms {@link DecisionDocument#scope}, status, expiry; see
 *       {@code RegistryConsent}), recorded by the anchor of the block that holds it.</li>
 * </ul>
 * Who may decide: the patient whose login is linked to the consent's pseudonym, signing with their key; or a custodian
 * of that patient (a family doctor an admin linked to them, {@link #custodian}), signing the same document with the P-256
 * key they registered ({@link #registerCustodianKey}); the Consent then names the custodian as performer and signer, on
 * behalf of the patient. A custodian never decides about a consent they asked for or that names them.
 *
 * <p>Emergency access ("break the glass", {@link #emergency}): a care giver states a reason and gets, without
 * asking the patient, full read access to the whole Patient compartment for a limited time (default 24 h). It is an
 * active FHIR Consent with purpose ETREAT and the reason as extension {@value #EMERGENCY_REASON_EXTENSION}; the
 * patient is notified by a FHIR {@code Communication} (category notification) in their compartment; every request it
 * opens is audited with purpose of use ETREAT. The patient may revoke it like any consent.
 */
public class ConsentService {
    /** How many resources of a type a {@link AccessLevel#SAMPLE} consent opens: the latest ones. */
    public static final int SAMPLE_SIZE = 5;
    public static final String SIGNATURE_EXTENSION = "https://phr-cloud.org/fhir/StructureDefinition/decision-signature";
    public static final String DECISION_SYSTEM = "https://phr-cloud.org/fhir/CodeSystem/consent-decision";
    public static final String EMERGENCY_REASON_EXTENSION = "https://phr-cloud.org/fhir/StructureDefinition/emergency-reason";
    /** The policy an emergency access is granted under (instead of the patient's opt-in). */
    public static final String EMERGENCY_POLICY = "https://phr-cloud.org/policy/emergency-access";

    private final FhirContext fhir;
    private final DaoRegistry daos;
    private final TransactionTemplate transactions;
    private final ConsentIndex index;
    private final MasterPatientIndex mpi;
    private final Clock clock;
    private final java.time.Duration emergencyDuration;
    private final ca.uhn.fhir.jpa.searchparam.MatchUrlService matchUrls;
    private final String institution;
    private final org.phrcloud.audit.Auditor auditor;
    /** The most patients a research study asks at once. */
    public static final int MAX_STUDY_SIZE = 1000;
    /** The most patients an eligibility search may find (they are loaded to be drawn from). */
    public static final int MAX_ELIGIBLE = 10_000;

    /**
     * @param emergencyDuration how long an emergency access lasts (configuration {@code phr.emergency.hours})
     * @param matchUrls         HAPI's parser of FHIR search URLs (research eligibility)
     * @param institution       this deployment's institution id (part of the ConsentRegistry key)
     */
    public ConsentService(FhirContext fhir, DaoRegistry daos, PlatformTransactionManager transactionManager, ConsentIndex index,
                          MasterPatientIndex mpi, Clock clock, java.time.Duration emergencyDuration,
                          ca.uhn.fhir.jpa.searchparam.MatchUrlService matchUrls, String institution,
                          org.phrcloud.audit.Auditor auditor) {
        this.auditor = auditor;
        this.matchUrls = matchUrls;
        this.institution = institution;
        this.fhir = fhir;
        this.daos = daos;
        this.transactions = new TransactionTemplate(transactionManager);
        this.index = index;
        this.mpi = mpi;
        this.clock = clock;
        this.emergencyDuration = emergencyDuration;
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
            requireCompartmentType(type);
        }
        Grantee grantee = grantee(caller, kind, institution, terms);
        String patientId = firstPatient(pseudonym);
        Instant now = clock.instant();
        if (!terms.end().isAfter(now)) {
            throw new ConsentException("PHR-CONSENT-0206: the grant would end before it is asked for");
        }
        SystemRequestDetails request = CallerContext.systemRequestAs(caller);
        return transactions.execute(status -> {
            DaoMethodOutcome consent = dao(Consent.class).create(proposed(patientId, grantee, terms, now), request);
            String consentId = consent.getId().getIdPart();
            DaoMethodOutcome task = dao(Task.class).create(task(consentId, patientId, caller, terms, now), request);
            ConsentRecord record = new ConsentRecord(consentId, task.getId().getIdPart(), pseudonym, patientId, grantee,
                    caller.subject(), caller.username(), terms, ConsentRecord.Status.PENDING, now, null, null);
            jdbc(c -> {
                index.insert(c, record);
                registryState(record, consent.getId().getVersionIdPartAsLong()).enqueue(c, now);
                return null;
            });
            return record;
        });
    }

    /**
     * Emergency access ("break the glass"): full read access to the patient's whole record for the caller, from now
     * for the configured duration, without asking the patient, who is notified.
     *
     * @param caller    a care giver (the API requires acr 2)
     * @param pseudonym the patient
     * @param reason    why, in the care giver's words: 1 to {@value ConsentRecord.Emergency#MAX_REASON} characters,
     *                  shown to the patient
     * @throws ConsentException 404 for an unknown pseudonym; 400 for a missing or too long reason or a caller
     *                          who is no care giver; 409 when the patient has no FHIR Patient
     */
    public ConsentRecord emergency(Caller caller, String pseudonym, String reason) {
        if (!caller.isCareGiver()) {
            throw new ConsentException("PHR-CONSENT-0208: only care givers declare an emergency access");
        }
        String why = reason == null ? "" : reason.strip();
        if (why.isEmpty() || why.length() > ConsentRecord.Emergency.MAX_REASON) {
            throw new ConsentException("PHR-CONSENT-0209: state the reason for the emergency access (1 to " + ConsentRecord.Emergency.MAX_REASON + " characters)");
        }
        String patientId = firstPatient(pseudonym);
        Instant now = clock.instant();
        ConsentTerms terms = new ConsentTerms(List.of(ConsentTerms.ALL_TYPES), AccessLevel.FULL, ConsentTerms.EMERGENCY_PURPOSE, now,
                now.plus(emergencyDuration));
        Grantee grantee = new Grantee(Grantee.Kind.PERSON, caller.subject());
        SystemRequestDetails request = CallerContext.systemRequestAs(caller);
        CallerContext.setPurposeOfUse(request, ConsentTerms.EMERGENCY_PURPOSE);
        return transactions.execute(status -> {
            Consent consent = proposed(patientId, grantee, terms, now);
            consent.setStatus(Consent.ConsentState.ACTIVE);
            consent.setPolicyRule(null);
            consent.addPolicy().setUri(EMERGENCY_POLICY);
            consent.addPerformer(new Reference().setIdentifier(new Identifier().setSystem(Grantee.Kind.PERSON.system())
                    .setValue(caller.subject())).setDisplay(caller.username()));
            consent.addExtension(EMERGENCY_REASON_EXTENSION, new org.hl7.fhir.r4.model.StringType(why));
            DaoMethodOutcome created = dao(Consent.class).create(consent, request);
            String consentId = created.getId().getIdPart();
            org.hl7.fhir.r4.model.Communication notice = notice(consentId, patientId, caller, terms, why, now);
            String noticeId = dao(org.hl7.fhir.r4.model.Communication.class).create(notice, request).getId().getIdPart();
            ConsentRecord record = new ConsentRecord(consentId, null, pseudonym, patientId, grantee, caller.subject(), caller.username(),
                    terms, ConsentRecord.Status.ACTIVE, now, now, caller.subject(), new ConsentRecord.Emergency(why, noticeId));
            jdbc(c -> {
                index.insert(c, record);
                registryState(record, created.getId().getVersionIdPartAsLong()).enqueue(c, now);
                return null;
            });
            return record;
        });
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
            requireCompartmentType(type);
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
                consentIds.add(request(caller, pseudonym, Grantee.Kind.PERSON, null, terms).consentId());
            }
            ResearchStudy study = new ResearchStudy(java.util.UUID.randomUUID().toString(), caller.subject(), caller.username(),
                    clock.instant(), criteria, eligible.size(), consentIds);
            jdbc(c -> {
                index.insertStudy(c, study);
                return null;
            });
            return study;
        });
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
            ids = dao(org.hl7.fhir.r4.model.Patient.class).search(map, new SystemRequestDetails()).getAllResourceIds();
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

    /** The emergency accesses to the record of the patient whose login this is, newest first. */
    public List<ConsentRecord> emergenciesOfPatientLogin(String keycloakUserId) {
        return ofPatientLogin(keycloakUserId).stream().filter(r -> r.emergency() != null).toList();
    }

    /** The key of a consent in the on-chain ConsentRegistry: hex SHA-256 of {@code phr-consent:<institution>:<id>}. */
    public String registryKey(String consentId) {
        return org.phrcloud.ledger.anchor.RegistryConsent.key(institution, consentId);
    }

    /** What the on-chain ConsentRegistry gets of a consent: hashes, status, expiry, the FHIR version. */
    private org.phrcloud.ledger.anchor.RegistryConsent registryState(ConsentRecord r, long version) {
        int status = switch (r.status()) {
            case PENDING -> org.phrcloud.ledger.anchor.RegistryConsent.PENDING;
            case ACTIVE, EXPIRED -> org.phrcloud.ledger.anchor.RegistryConsent.ACTIVE;
            case REJECTED -> org.phrcloud.ledger.anchor.RegistryConsent.REJECTED;
            case REVOKED -> org.phrcloud.ledger.anchor.RegistryConsent.REVOKED;
        };
        return new org.phrcloud.ledger.anchor.RegistryConsent(registryKey(r.consentId()), r.pseudonym(),
                org.phrcloud.ledger.anchor.RegistryConsent.sha256Hex(r.grantee().kind().code() + ":" + r.grantee().id()),
                org.phrcloud.ledger.anchor.RegistryConsent.sha256Hex(DecisionDocument.scope(r.terms())), status,
                r.terms().end().getEpochSecond(), version);
    }

    private String firstPatient(String pseudonym) {
        Set<String> patients = new TreeSet<>(mpi.patientIdsOf(pseudonym));
        if (patients.isEmpty()) {
            if (mpi.findByPseudonym(pseudonym).isEmpty()) {
                throw new ConsentException("PHR-CONSENT-0201: no patient with this pseudonym");
            }
            throw new ConsentException("PHR-CONSENT-0202: this patient has no FHIR Patient record yet");
        }
        return patients.iterator().next();
    }

    /** The notification of an emergency access: a FHIR Communication to the patient, about the Consent. */
    private static org.hl7.fhir.r4.model.Communication notice(String consentId, String patientId, Caller caller,
                                                              ConsentTerms terms, String reason, Instant now) {
        org.hl7.fhir.r4.model.Communication c = new org.hl7.fhir.r4.model.Communication();
        c.setStatus(org.hl7.fhir.r4.model.Communication.CommunicationStatus.COMPLETED);
        c.addCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/communication-category", "notification",
                "Notification")));
        c.setPriority(org.hl7.fhir.r4.model.Communication.CommunicationPriority.URGENT);
        c.setSubject(new Reference("Patient/" + patientId));
        c.addRecipient(new Reference("Patient/" + patientId));
        c.addAbout(new Reference("Consent/" + consentId));
        c.setSent(Date.from(now));
        c.setSender(new Reference().setIdentifier(new Identifier().setSystem(Grantee.Kind.PERSON.system()).setValue(caller.subject()))
                .setDisplay(caller.username()));
        c.addReasonCode(new CodeableConcept(new Coding(ConsentTerms.PURPOSE_SYSTEM, ConsentTerms.EMERGENCY_PURPOSE, "emergency treatment")));
        c.addPayload().setContent(new org.hl7.fhir.r4.model.StringType("Emergency access to your record by " + caller.username()
                + (caller.institutions().isEmpty() ? "" : " (" + String.join(", ", new TreeSet<>(caller.institutions())) + ")")
                + " from " + terms.start() + " until " + terms.end() + ". Reason given: " + reason));
        return c;
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
            ConsentRecord current = jdbc(c -> index.lock(c, consentId)).orElseThrow(ConsentService::notFound);
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
                publicKey = index.custodianKey("user_id", caller.subject()).orElseThrow(ConsentService::notFound).publicKey();
                decider = custodianReference(caller);
            } else {
                throw notFound();
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
            IFhirResourceDao<Consent> consents = dao(Consent.class);
            Consent consent = consents.read(new IdType("Consent", consentId), request);
            decided(consent, current.patientId(), decider, decision, signature, now);
            long version = consents.update(consent, request).getId().getVersionIdPartAsLong();
            if (decision != Decision.REVOKE && current.taskId() != null) {
                IFhirResourceDao<Task> tasks = dao(Task.class);
                Task task = tasks.read(new IdType("Task", current.taskId()), request);
                task.setStatus(decision == Decision.APPROVE ? Task.TaskStatus.COMPLETED : Task.TaskStatus.REJECTED);
                task.setLastModified(Date.from(now));
                tasks.update(task, request);
            }
            ConsentRecord decided = new ConsentRecord(current.consentId(), current.taskId(), current.pseudonym(), current.patientId(),
                    current.grantee(), current.requester(), current.requesterName(), current.terms(), next, current.requestedAt(), now,
                    caller.subject(), current.emergency());
            jdbc(c -> {
                index.decide(c, consentId, next, now, caller.subject());
                registryState(decided, version).enqueue(c, now);
                return null;
            });
            return decided;
        });
    }

    /**
     * A family doctor registers (or replaces) the P-256 public key they sign custodian decisions with.
     *
     * @param spki DER SubjectPublicKeyInfo of a P-256 key
     * @throws ConsentException 400 for a caller without the family-doctor role or a key that is not P-256
     */
    public ConsentIndex.CustodianKey registerCustodianKey(Caller caller, byte[] spki) {
        if (!caller.hasRole(PhrRole.FAMILY_DOCTOR)) {
            throw new ConsentException("PHR-CONSENT-0307: custodians are family doctors");
        }
        try {
            java.security.PublicKey key = org.phrcloud.identity.keys.EcdsaP256.publicKey(spki);
            if (!(key instanceof java.security.interfaces.ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new java.security.spec.InvalidKeySpecException("not P-256");
            }
        } catch (java.security.spec.InvalidKeySpecException | RuntimeException e) {
            throw new ConsentException("PHR-CONSENT-0308: the key is the Base64 of a DER SubjectPublicKeyInfo of an ECDSA P-256 key");
        }
        ConsentIndex.CustodianKey registered = new ConsentIndex.CustodianKey(caller.subject(), caller.username(), spki, clock.instant());
        transactions.executeWithoutResult(status -> jdbc(c -> {
            index.putCustodianKey(c, registered);
            return null;
        }));
        return registered;
    }

    /**
     * Makes a family doctor (by username; they must have registered a custodian key) custodian of a patient, or ends it.
     *
     * @param link true to link, false to unlink
     * @throws ConsentException 404 for an unknown pseudonym or a username without a custodian key
     */
    public void custodian(Caller admin, String pseudonym, String username, boolean link) {
        if (mpi.findByPseudonym(pseudonym).isEmpty()) {
            throw new ConsentException("PHR-CONSENT-0201: no patient with this pseudonym");
        }
        ConsentIndex.CustodianKey custodian = index.custodianKey("username", username).orElseThrow(() -> new ConsentException("PHR-CONSENT-0306: no family doctor with a registered custodian key has this username"));
        transactions.executeWithoutResult(status -> jdbc(c -> {
            if (link) {
                index.linkCustodian(c, pseudonym, custodian.userId(), admin.subject(), clock.instant());
            } else {
                index.unlinkCustodian(c, pseudonym, custodian.userId());
            }
            return null;
        }));
    }

    /** Every consent about the patients the caller is custodian of, newest first per patient. */
    public List<ConsentRecord> ofCustodian(Caller caller) {
        if (!caller.hasRole(PhrRole.FAMILY_DOCTOR)) {
            return List.of();
        }
        return index.wardsOf(caller.subject()).stream().flatMap(p -> index.ofPatient(p).stream()).toList();
    }

    /**
     * Whether the caller may sign decisions about this consent: its patient, or a custodian of the patient who neither
     * asked for it nor is named by it.
     */
    public boolean decidesFor(Caller caller, ConsentRecord r) {
        if (mpi.findByKeycloakUserId(caller.subject()).map(p -> p.pseudonym().equals(r.pseudonym())).orElse(false)) {
            return true;
        }
        return caller.hasRole(PhrRole.FAMILY_DOCTOR) && !r.requester().equals(caller.subject())
                && !(r.grantee().kind() == Grantee.Kind.PERSON && r.grantee().id().equals(caller.subject()))
                && index.wardsOf(caller.subject()).contains(r.pseudonym());
    }

    private static Reference custodianReference(Caller caller) {
        return new Reference().setIdentifier(new Identifier().setSystem(Grantee.Kind.PERSON.system()).setValue(caller.subject()))
                .setDisplay(caller.username() + " (custodian)");
    }

    /** Every consent about the patient whose login this is, newest first; empty if the login is not linked. */
    public List<ConsentRecord> ofPatientLogin(String keycloakUserId) {
        return mpi.findByKeycloakUserId(keycloakUserId).map(p -> index.ofPatient(p.pseudonym())).orElse(List.of());
    }

    /** Every consent the caller asked for or is grantee of (directly or through an institution), newest first. */
    public List<ConsentRecord> ofParty(Caller caller) {
        return index.ofParty(caller.subject(), caller.institutions());
    }

    /** One consent, for the patient it is about, its requester or its grantee; otherwise 404. */
    public ConsentRecord visibleTo(Caller caller, String consentId) {
        ConsentRecord r = index.find(consentId).orElseThrow(ConsentService::notFound);
        boolean patient = mpi.findByKeycloakUserId(caller.subject()).map(p -> p.pseudonym().equals(r.pseudonym())).orElse(false)
                || decidesFor(caller, r);
        boolean party = r.requester().equals(caller.subject())
                || (r.grantee().kind() == Grantee.Kind.PERSON && r.grantee().id().equals(caller.subject()))
                || (r.grantee().kind() == Grantee.Kind.INSTITUTION && caller.institutions().contains(r.grantee().id()));
        if (!patient && !party) {
            throw notFound();
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

    private void requireCompartmentType(String type) {
        RuntimeResourceDefinition definition;
        try {
            definition = fhir.getResourceDefinition(type);
        } catch (DataFormatException e) {
            definition = null;
        }
        if (definition == null || !(type.equals("Patient") || !definition.getSearchParamsForCompartmentName("Patient").isEmpty())) {
            throw new ConsentException("PHR-CONSENT-0205: " + type + " is not a resource type of the Patient compartment");
        }
    }

    private static Consent proposed(String patientId, Grantee grantee, ConsentTerms terms, Instant now) {
        Consent c = new Consent();
        c.setStatus(Consent.ConsentState.PROPOSED);
        boolean research = "HRESCH".equals(terms.purpose());
        c.setScope(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/consentscope",
                research ? "research" : "patient-privacy", research ? "Research" : "Privacy Consent")));
        c.addCategory(new CodeableConcept(new Coding("http://loinc.org", "59284-0", "Patient Consent")));
        c.setPatient(new Reference("Patient/" + patientId));
        c.setDateTime(Date.from(now));
        c.setPolicyRule(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", "opt-in")));
        Consent.ProvisionComponent p = c.getProvision();
        p.setType(Consent.ConsentProvisionType.PERMIT);
        p.setPeriod(new Period().setStartElement(new org.hl7.fhir.r4.model.DateTimeType(Date.from(terms.start())))
                .setEndElement(new org.hl7.fhir.r4.model.DateTimeType(Date.from(terms.end()))));
        p.addActor().setRole(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP",
                        "information recipient")))
                .setReference(new Reference().setIdentifier(new Identifier().setSystem(grantee.kind().system()).setValue(grantee.id())));
        p.addAction(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/consentaction", "access", "Access")));
        p.addPurpose(new Coding(ConsentTerms.PURPOSE_SYSTEM, terms.purpose(), null));
        for (String type : terms.emergency() ? List.<String>of() : terms.resourceTypes()) {
            p.addClass_(new Coding("http://hl7.org/fhir/resource-types", type, null));
        }
        p.addExtension(AccessLevel.EXTENSION, new Coding(AccessLevel.SYSTEM, terms.level().code(), null));
        return c;
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

    private <T extends org.hl7.fhir.instance.model.api.IBaseResource> IFhirResourceDao<T> dao(Class<T> type) {
        return daos.getResourceDao(type);
    }

    private <T> T jdbc(ConsentIndex.Work<T> work) {
        try (Connection c = index.dataSource().getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-CONSENT-0902: the consent index could not be written", e);
        }
    }

    private static ConsentException notFound() {
        return new ConsentException("PHR-CONSENT-0301: no such consent for this caller");
    }
}
