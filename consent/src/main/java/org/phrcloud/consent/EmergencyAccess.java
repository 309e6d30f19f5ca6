package org.phrcloud.consent;

import org.phrcloud.core.caller.CallerContext;
import ca.uhn.fhir.jpa.api.model.DaoMethodOutcome;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.caller.Caller;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.TreeSet;

/**
 * Emergency access ("break the glass"; docs/ARCHITECTURE.md "Consent"): a care giver states a reason and gets, without
 * asking the patient, full read access to the whole Patient compartment for a limited time (default 24 h). It is an
 * active FHIR Consent with purpose ETREAT and the reason as extension {@value #EMERGENCY_REASON_EXTENSION}, under the
 * policy {@value #EMERGENCY_POLICY}; the patient is notified by a FHIR {@code Communication} (category notification)
 * in their compartment; every request it opens is audited with purpose of use ETREAT. The patient may revoke it like
 * any consent.
 */
public class EmergencyAccess {
    public static final String EMERGENCY_REASON_EXTENSION = "https://phr-cloud.org/fhir/StructureDefinition/emergency-reason";
    /** The policy an emergency access is granted under (instead of the patient's opt-in). */
    public static final String EMERGENCY_POLICY = "https://phr-cloud.org/policy/emergency-access";

    private final ConsentStore store;
    private final ConsentIndex index;
    private final MasterPatientIndex mpi;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final java.time.Duration duration;

    EmergencyAccess(ConsentStore store, java.time.Duration duration) {
        this.store = store;
        this.index = store.index();
        this.mpi = store.mpi();
        this.clock = store.clock();
        this.transactions = store.transactions();
        this.duration = duration;
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
        String patientId = store.firstPatient(pseudonym);
        Instant now = clock.instant();
        ConsentTerms terms = new ConsentTerms(List.of(ConsentTerms.ALL_TYPES), AccessLevel.FULL, ConsentTerms.EMERGENCY_PURPOSE, now,
                now.plus(duration));
        Grantee grantee = new Grantee(Grantee.Kind.PERSON, caller.subject());
        SystemRequestDetails request = CallerContext.systemRequestAs(caller, ConsentTerms.EMERGENCY_PURPOSE);
        return transactions.execute(status -> {
            Consent consent = ConsentStore.proposed(patientId, grantee, terms, now);
            consent.setStatus(Consent.ConsentState.ACTIVE);
            consent.setPolicyRule(null);
            consent.addPolicy().setUri(EMERGENCY_POLICY);
            consent.addPerformer(new Reference().setIdentifier(new Identifier().setSystem(Grantee.Kind.PERSON.system())
                    .setValue(caller.subject())).setDisplay(caller.username()));
            consent.addExtension(EMERGENCY_REASON_EXTENSION, new org.hl7.fhir.r4.model.StringType(why));
            DaoMethodOutcome created = store.dao(Consent.class).create(consent, request);
            String consentId = created.getId().getIdPart();
            org.hl7.fhir.r4.model.Communication notice = notice(consentId, patientId, caller, terms, why, now);
            String noticeId = store.dao(org.hl7.fhir.r4.model.Communication.class).create(notice, request).getId().getIdPart();
            ConsentRecord record = new ConsentRecord(consentId, null, pseudonym, patientId, grantee, caller.subject(), caller.username(),
                    terms, ConsentRecord.Status.ACTIVE, now, now, caller.subject(), new ConsentRecord.Emergency(why, noticeId));
            store.jdbc(c -> {
                index.insert(c, record);
                store.registryState(record, created.getId().getVersionIdPartAsLong()).enqueue(c, now);
                return null;
            });
            return record;
        });
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

    /** The emergency accesses to the record of the patient whose login this is, newest first. */
    public List<ConsentRecord> emergenciesOfPatientLogin(String keycloakUserId) {
        return store.ofPatientLogin(keycloakUserId).stream().filter(r -> r.emergency() != null).toList();
    }
}
