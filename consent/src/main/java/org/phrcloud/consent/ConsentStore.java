package org.phrcloud.consent;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.parser.DataFormatException;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the consent concepts share: the FHIR DAOs and HAPI's transactions they write in, the consent index, the
 * master patient index, the clock, and the entries of the on-chain ConsentRegistry (pseudonym, SHA-256 of the
 * grantee, SHA-256 of the canonical terms {@link DecisionDocument#scope}, status, expiry; see {@code RegistryConsent}),
 * queued in the transaction of each state and recorded by the anchor of the block that holds it.
 */
public class ConsentStore {
    private final FhirContext fhir;
    private final DaoRegistry daos;
    private final TransactionTemplate transactions;
    private final ConsentIndex index;
    private final MasterPatientIndex mpi;
    private final Clock clock;
    private final String institution;

    /** @param institution this deployment's institution id (part of the ConsentRegistry key) */
    ConsentStore(FhirContext fhir, DaoRegistry daos, PlatformTransactionManager transactionManager, ConsentIndex index,
                 MasterPatientIndex mpi, Clock clock, String institution) {
        this.fhir = fhir;
        this.daos = daos;
        this.transactions = new TransactionTemplate(transactionManager);
        this.index = index;
        this.mpi = mpi;
        this.clock = clock;
        this.institution = institution;
    }

    FhirContext fhir() {
        return fhir;
    }

    TransactionTemplate transactions() {
        return transactions;
    }

    ConsentIndex index() {
        return index;
    }

    MasterPatientIndex mpi() {
        return mpi;
    }

    Clock clock() {
        return clock;
    }

    /** Every consent about the patient whose login this is, newest first; empty if the login is not linked. */
    List<ConsentRecord> ofPatientLogin(String keycloakUserId) {
        return mpi.findByKeycloakUserId(keycloakUserId).map(p -> index.ofPatient(p.pseudonym())).orElse(List.of());
    }

    /** The key of a consent in the on-chain ConsentRegistry: hex SHA-256 of {@code phr-consent:<institution>:<id>}. */
    public String registryKey(String consentId) {
        return org.phrcloud.ledger.anchor.RegistryConsent.key(institution, consentId);
    }

    /** What the on-chain ConsentRegistry gets of a consent: hashes, status, expiry, the FHIR version. */
    org.phrcloud.ledger.anchor.RegistryConsent registryState(ConsentRecord r, long version) {
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

    String firstPatient(String pseudonym) {
        Set<String> patients = new TreeSet<>(mpi.patientIdsOf(pseudonym));
        if (patients.isEmpty()) {
            if (mpi.findByPseudonym(pseudonym).isEmpty()) {
                throw new ConsentException("PHR-CONSENT-0201: no patient with this pseudonym");
            }
            throw new ConsentException("PHR-CONSENT-0202: this patient has no FHIR Patient record yet");
        }
        return patients.iterator().next();
    }

    void requireCompartmentType(String type) {
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

    static Consent proposed(String patientId, Grantee grantee, ConsentTerms terms, Instant now) {
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

    <T extends org.hl7.fhir.instance.model.api.IBaseResource> IFhirResourceDao<T> dao(Class<T> type) {
        return daos.getResourceDao(type);
    }

    <T> T jdbc(ConsentIndex.Work<T> work) {
        try (Connection c = index.dataSource().getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-CONSENT-0902: the consent index could not be written", e);
        }
    }

    static ConsentException notFound() {
        return new ConsentException("PHR-CONSENT-0301: no such consent for this caller");
    }
}
