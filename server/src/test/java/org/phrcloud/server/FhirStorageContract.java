package org.phrcloud.server;

import org.phrcloud.core.config.PlatformSettings;

import org.phrcloud.core.caller.CallerContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.AfterAll;
import ca.uhn.fhir.context.FhirContext;
import org.phrcloud.identity.institution.InstitutionKeys;
import org.phrcloud.identity.keys.EcdsaP256;
import org.phrcloud.identity.mpi.Identifier;
import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.ChainVerifier;
import org.phrcloud.ledger.chain.ContentHash;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;
import org.phrcloud.ledger.store.JdbcChainStore;
import org.phrcloud.standards.fhir.ledger.LedgerVerifier;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.mpi.PatientIdentity;
import org.junit.jupiter.api.Test;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.keys.PatientKeyFile;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.audit.AuditLog;
import org.phrcloud.consent.ResearchStudy;
import org.phrcloud.audit.AuditSealer;
import org.phrcloud.consent.AccessLevel;
import org.phrcloud.consent.ConsentException;
import org.phrcloud.consent.ConsentGrant;
import org.phrcloud.consent.ConsentIndex;
import org.phrcloud.consent.ConsentRecord;
import org.phrcloud.consent.ConsentService;
import org.phrcloud.consent.ConsentTerms;
import org.phrcloud.consent.Decision;
import org.phrcloud.consent.DecisionDocument;
import org.phrcloud.consent.Grantee;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Signature;
import org.hl7.fhir.r4.model.Task;
import org.springframework.orm.jpa.JpaTransactionManager;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.ArrayList;
import java.util.Map;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real HAPI FHIR JPA configuration ({@link PhrServerConfig}) on a real database, through the DAO
 * layer: each subclass names the database. The HTTP layer is tested on Payara in the ear module.
 */
abstract class FhirStorageContract {
    private static AnnotationConfigApplicationContext spring;

    /** Boots the configuration on the given JDBC URL (system properties, as Payara would pass them). */
    static void boot(String jdbcUrl, String username, String password) {
        TestServerProperties.set(jdbcUrl, username, password);
        spring = new AnnotationConfigApplicationContext(PhrServerConfig.class);
    }

    @AfterAll
    static void close() {
        if (spring != null) {
            spring.close();
            spring = null;
        }
        TestServerProperties.clear();
    }

    private static IFhirResourceDao<Patient> patients() {
        return spring.getBean(DaoRegistry.class).getResourceDao(Patient.class);
    }

    private static int patientsWithMrn(String mrn) {
        return patients().search(SearchParameterMap.newSynchronous("identifier", new TokenParam("urn:test:mrn", mrn)),
                new SystemRequestDetails()).size();
    }

    @Test
    void aDirectoryResourceWithAnIdentifierAnotherOneCarriesIsRefusedAndAConditionalUpdateMergesIntoIt() {
        IFhirResourceDao<org.hl7.fhir.r4.model.Practitioner> practitioners =
                spring.getBean(DaoRegistry.class).getResourceDao(org.hl7.fhir.r4.model.Practitioner.class);
        String npi = String.valueOf(1_000_000_000L + (System.nanoTime() % 1_000_000_000L));
        org.hl7.fhir.r4.model.Practitioner first = new org.hl7.fhir.r4.model.Practitioner();
        first.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-npi").setValue(npi);
        first.addName().setFamily("First");
        var id = practitioners.create(first, new SystemRequestDetails()).getId().toUnqualifiedVersionless();

        org.hl7.fhir.r4.model.Practitioner second = new org.hl7.fhir.r4.model.Practitioner();
        second.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-npi").setValue(npi);
        second.addName().setFamily("Second");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> practitioners.create(second, new SystemRequestDetails()))
                .isInstanceOf(ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException.class);

        var merged = practitioners.update(second, "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|" + npi, new SystemRequestDetails());
        assertThat(merged.getId().toUnqualifiedVersionless()).isEqualTo(id);
        assertThat(practitioners.read(id, new SystemRequestDetails()).getNameFirstRep().getFamily()).isEqualTo("Second");
        org.hl7.fhir.r4.model.Practitioner other = new org.hl7.fhir.r4.model.Practitioner();
        other.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-npi").setValue(npi + "1");
        assertThat(practitioners.create(other, new SystemRequestDetails()).getCreated()).isTrue();
    }

    @Test
    void storesAndReadsAPatient() {
        Patient p = new Patient();
        p.addName().setFamily("Testperson").addGiven("Ada");
        p.setGender(Enumerations.AdministrativeGender.FEMALE);
        var id = patients().create(p, new SystemRequestDetails()).getId().toUnqualifiedVersionless();

        Patient read = patients().read(id, new SystemRequestDetails());
        assertThat(read.getNameFirstRep().getFamily()).isEqualTo("Testperson");
        assertThat(read.getMeta().getVersionId()).isEqualTo("1");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFailingTransactionBundleWritesNothing() {
        String mrn = UUID.randomUUID().toString();
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        Patient p = new Patient();
        p.addIdentifier().setSystem("urn:test:mrn").setValue(mrn);
        tx.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(p)
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.getCode().setText("x");
        o.setSubject(new Reference("Patient/missing-" + mrn));
        tx.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(o)
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");

        IFhirSystemDao<Bundle, ?> system = spring.getBean(IFhirSystemDao.class);
        assertThatThrownBy(() -> system.transaction(new SystemRequestDetails(), tx)).hasMessageContaining("not found");
        assertThat(patientsWithMrn(mrn)).isZero();
    }

    private static MasterPatientIndex mpi() {
        return spring.getBean(MasterPatientIndex.class);
    }

    private static Patient patientWithNationalId(String nationalId) {
        Patient p = new Patient();
        p.addIdentifier().setSystem("urn:test:national-id").setValue(nationalId);
        p.addName().setFamily("Lindqvist").addGiven("Maria");
        p.setGender(Enumerations.AdministrativeGender.FEMALE);
        return p;
    }

    @Test
    void aCreatedPatientGetsAnIdentityAndTheSameIdentifierTwiceGivesOne() {
        String nationalId = UUID.randomUUID().toString();
        String first = patients().create(patientWithNationalId(nationalId), new SystemRequestDetails()).getId().getIdPart();
        String second = patients().create(patientWithNationalId(nationalId), new SystemRequestDetails()).getId().getIdPart();

        PatientIdentity identity = mpi().findByIdentifier(new Identifier("urn:test:national-id", nationalId)).orElseThrow();
        assertThat(identity.patientIds()).containsExactlyInAnyOrder(first, second);
        assertThat(identity.demographics().family()).isEqualTo("Lindqvist");
        assertThat(mpi().findByPatientId(second)).map(PatientIdentity::pseudonym).contains(identity.pseudonym());
    }

    @Test
    @SuppressWarnings("unchecked")
    void patientsPutInATransactionBundleGetIdentities() {
        String nationalId = UUID.randomUUID().toString();
        String id = "tx-" + nationalId.substring(0, 8);
        Patient p = patientWithNationalId(nationalId);
        p.setId(id);
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        tx.addEntry().setFullUrl("http://example.org/fhir/Patient/" + id).setResource(p)
                .getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + id);
        IFhirSystemDao<Bundle, ?> system = spring.getBean(IFhirSystemDao.class);
        system.transaction(new SystemRequestDetails(), tx);

        assertThat(mpi().findByPatientId(id)).map(i -> i.demographics().family()).contains("Lindqvist");
    }

    @Test
    void anUpdatedPatientUpdatesItsIdentity() {
        String nationalId = UUID.randomUUID().toString();
        Patient p = patientWithNationalId(nationalId);
        p.setId(patients().create(p, new SystemRequestDetails()).getId().toUnqualifiedVersionless());
        p.getNameFirstRep().setFamily("Berg");
        p.addIdentifier().setSystem("urn:test:mrn").setValue("MRN-" + nationalId);
        patients().update(p, new SystemRequestDetails());

        PatientIdentity identity = mpi().findByIdentifier(new Identifier("urn:test:mrn", "MRN-" + nationalId)).orElseThrow();
        assertThat(identity.demographics().family()).isEqualTo("Berg");
    }

    /** Fails every Patient called "Rollback" after the identity interceptor ran, in the same transaction. */
    @Interceptor
    public static class FailLate {
        @Hook(value = Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED, order = 1000)
        public void created(IBaseResource resource) {
            if (resource instanceof Patient p && "Rollback".equals(p.getNameFirstRep().getFamily())) {
                throw new InternalErrorException("late failure");
            }
        }
    }

    @Test
    void anIdentityCommitsWithItsPatientOrNotAtAll() {
        String nationalId = UUID.randomUUID().toString();
        Patient p = patientWithNationalId(nationalId);
        p.getNameFirstRep().setFamily("Rollback");
        IInterceptorService interceptors = spring.getBean(IInterceptorService.class);
        FailLate failLate = new FailLate();
        interceptors.registerInterceptor(failLate);
        try {
            assertThatThrownBy(() -> patients().create(p, new SystemRequestDetails())).hasMessageContaining("late failure");
        } finally {
            interceptors.unregisterInterceptor(failLate);
        }
        assertThat(mpi().findByIdentifier(new Identifier("urn:test:national-id", nationalId))).isEmpty();
        assertThat(patients().search(SearchParameterMap.newSynchronous("identifier",
                new TokenParam("urn:test:national-id", nationalId)), new SystemRequestDetails()).size()).isZero();
    }

    @Test
    void aPatientWithIdentifiersOfTwoIdentitiesIsRefusedWith409AndNotStored() {
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        patients().create(patientWithNationalId(a), new SystemRequestDetails());
        patients().create(patientWithNationalId(b), new SystemRequestDetails());
        Patient both = patientWithNationalId(a);
        both.addIdentifier().setSystem("urn:test:national-id").setValue(b);

        assertThatThrownBy(() -> patients().create(both, new SystemRequestDetails()))
                .isInstanceOf(ResourceVersionConflictException.class).hasMessageContaining("PHR-IDENTITY-0310");
        assertThat(patients().search(SearchParameterMap.newSynchronous("identifier",
                new TokenParam("urn:test:national-id", a)), new SystemRequestDetails()).size()).isEqualTo(1);
    }


    private static Caller person(String subject, Set<PhrRole> roles, Set<String> institutions) {
        return new Caller(subject, "user-" + subject, "phr-portal", roles, "2", Instant.now().plusSeconds(300), false, institutions);
    }

    /** A Patient whose identity's key is with the patient and whose login is linked; returns {patientId, pseudonym, login}. */
    private static Object[] patientHoldingTheirKey() throws Exception {
        return patientHoldingTheirKey(UUID.randomUUID().toString());
    }

    private static Object[] patientHoldingTheirKey(String nationalId) throws Exception {
        String patientId = patients().create(patientWithNationalId(nationalId), new SystemRequestDetails())
                .getId().getIdPart();
        String pseudonym = mpi().pseudonymOfPatient(patientId).orElseThrow();
        char[] passphrase = "correct horse battery".toCharArray();
        PrivateKey key = PatientKeyFile.decrypt(mpi().handOverKeyFile(pseudonym, passphrase, "test").orElseThrow(), passphrase);
        String login = "kc-patient-" + patientId;
        mpi().linkLogin(pseudonym, login, "test");
        return new Object[]{patientId, pseudonym, person(login, Set.of(PhrRole.PATIENT), Set.of()), key};
    }

    @Test
    void aSignedApprovalOpensTheRecordAndARevocationClosesItAgain() throws Exception {
        Object[] p = patientHoldingTheirKey();
        String patientId = (String) p[0];
        String pseudonym = (String) p[1];
        Caller patient = (Caller) p[2];
        PrivateKey key = (PrivateKey) p[3];
        Caller doctor = person("kc-dr-" + patientId, Set.of(PhrRole.PRACTITIONER), Set.of("north-clinic"));
        ConsentService consents = spring.getBean(ConsentService.class);
        Instant now = Instant.now();

        ConsentRecord asked = consents.request(doctor, pseudonym, Grantee.Kind.PERSON, null,
                new ConsentTerms(List.of("Observation", "Condition"), AccessLevel.FULL, "TREAT", now, now.plus(Duration.ofDays(30))));
        assertThat(asked.status()).isEqualTo(ConsentRecord.Status.PENDING);
        Consent proposed = dao(Consent.class).read(new IdType("Consent", asked.consentId()), new SystemRequestDetails());
        assertThat(proposed.getStatus()).isEqualTo(Consent.ConsentState.PROPOSED);
        assertThat(proposed.getPatient().getReference()).isEqualTo("Patient/" + patientId);
        assertThat(proposed.getProvision().getClass_()).extracting(c -> c.getCode()).containsExactly("Condition", "Observation");
        assertThat(proposed.getProvision().getActorFirstRep().getReference().getIdentifier().getValue()).isEqualTo(doctor.subject());
        Task task = dao(Task.class).read(new IdType("Task", asked.taskId()), new SystemRequestDetails());
        assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
        assertThat(task.getFocus().getReference()).isEqualTo("Consent/" + asked.consentId());
        assertThat(consents.grantsInForce(doctor)).isEmpty();

        byte[] approval = ConsentService.document(asked, Decision.APPROVE);
        byte[] otherKey = EcdsaP256.sign(EcdsaP256.generate().getPrivate(), approval);
        byte[] rejectionSignature = EcdsaP256.sign(key, ConsentService.document(asked, Decision.REJECT));
        for (byte[] forged : List.of(otherKey, rejectionSignature, new byte[64], new byte[0])) {
            assertThatThrownBy(() -> consents.decide(patient, asked.consentId(), Decision.APPROVE, forged))
                    .isInstanceOf(ConsentException.class).hasMessageStartingWith("PHR-CONSENT-0303");
        }
        Caller someoneElse = person("kc-nobody", Set.of(PhrRole.PATIENT), Set.of());
        assertThatThrownBy(() -> consents.decide(someoneElse, asked.consentId(), Decision.APPROVE, EcdsaP256.sign(key, approval)))
                .isInstanceOf(ConsentException.class).hasMessageStartingWith("PHR-CONSENT-0301");
        List<AuditLog.Stored> refusals = spring.getBean(AuditLog.class).aboutPatients(Set.of(asked.patientId()), null, null, null, null, 100)
                .stream().filter(e -> e.outcome() == 4).toList();
        assertThat(refusals).as("each refused decision is in the patient's audit trail").hasSize(5)
                .allSatisfy(e -> assertThat(e.json()).contains("Consent/" + asked.consentId()));
        assertThat(refusals).extracting(AuditLog.Stored::actor).containsOnly(patient.subject(), "kc-nobody");
        assertThat(refusals.get(0).json()).contains("PHR-CONSENT-0301");
        assertThat(dao(Consent.class).read(new IdType("Consent", asked.consentId()), new SystemRequestDetails()).getMeta().getVersionId())
                .as("refused decisions change nothing").isEqualTo("1");

        byte[] signature = EcdsaP256.sign(key, approval);
        ConsentRecord approved = consents.decide(patient, asked.consentId(), Decision.APPROVE, signature);
        assertThat(approved.status()).isEqualTo(ConsentRecord.Status.ACTIVE);
        assertThat(consents.grantsInForce(doctor)).singleElement().isEqualTo(
                new ConsentGrant(asked.consentId(), Set.of(patientId), AccessLevel.FULL, Set.of("Condition", "Observation")));
        List<String> queued = new ArrayList<>();
        try (java.sql.Connection c = spring.getBean(javax.sql.DataSource.class).getConnection();
             java.sql.PreparedStatement q = c.prepareStatement("SELECT status, version, pseudonym, grantee_hash, expiry FROM ledger_consent_outbox "
                     + "WHERE consent_key = ? ORDER BY seq")) {
            q.setString(1, consents.registryKey(asked.consentId()));
            try (java.sql.ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    queued.add(r.getInt(1) + "/" + r.getLong(2) + "/" + r.getString(3).trim().equals(pseudonym) + "/"
                            + r.getString(4).trim().equals(org.phrcloud.ledger.anchor.RegistryConsent.sha256Hex("person:" + doctor.subject()))
                            + "/" + (r.getLong(5) == asked.terms().end().getEpochSecond()));
                }
            }
        }
        assertThat(queued).as("pending (v1) and active (v2) queued for the on-chain ConsentRegistry")
                .containsExactly("1/1/true/true/true", "2/2/true/true/true");
        Consent active = dao(Consent.class).read(new IdType("Consent", asked.consentId()), new SystemRequestDetails());
        assertThat(active.getStatus()).isEqualTo(Consent.ConsentState.ACTIVE);
        Signature stored = (Signature) active.getExtensionByUrl(ConsentService.SIGNATURE_EXTENSION).getValue();
        assertThat(DecisionDocument.verify(mpi().findByPseudonym(pseudonym).orElseThrow().publicKey(),
                DecisionDocument.of(asked.consentId(), pseudonym, asked.grantee(), asked.terms(), Decision.APPROVE), stored.getData()))
                .as("anyone can check the stored signature against the rebuilt document").isTrue();
        assertThat(dao(Task.class).read(new IdType("Task", asked.taskId()), new SystemRequestDetails()).getStatus())
                .isEqualTo(Task.TaskStatus.COMPLETED);
        List<Block> chain = chainOf(patientId);
        assertThat(chain.get(chain.size() - 1).entries()).singleElement().satisfies(e -> {
            assertThat(e.resourceType()).isEqualTo("Consent");
            assertThat(e.versionId()).isEqualTo("2");
        });
        assertThatThrownBy(() -> consents.decide(patient, asked.consentId(), Decision.APPROVE, signature))
                .isInstanceOf(ConsentException.class).hasMessageStartingWith("PHR-CONSENT-0302");

        ConsentService monthLater = new ConsentService(FhirContext.forR4Cached(), spring.getBean(DaoRegistry.class),
                spring.getBean(JpaTransactionManager.class), spring.getBean(ConsentIndex.class), mpi(),
                Clock.offset(Clock.systemUTC(), Duration.ofDays(31)), Duration.ofHours(24),
                spring.getBean(ca.uhn.fhir.jpa.searchparam.MatchUrlService.class), "north-clinic",
                spring.getBean(org.phrcloud.audit.Auditor.class));
        assertThat(monthLater.grantsInForce(doctor)).as("expired").isEmpty();
        assertThat(approved.state(Instant.now().plus(Duration.ofDays(31)))).isEqualTo(ConsentRecord.Status.EXPIRED);

        consents.decide(patient, asked.consentId(), Decision.REVOKE, EcdsaP256.sign(key, ConsentService.document(approved, Decision.REVOKE)));
        assertThat(consents.grantsInForce(doctor)).isEmpty();
        assertThat(dao(Consent.class).read(new IdType("Consent", asked.consentId()), new SystemRequestDetails()).getStatus())
                .isEqualTo(Consent.ConsentState.INACTIVE);
        assertThat(consents.ofPatientLogin(patient.subject())).extracting(ConsentRecord::status).containsExactly(ConsentRecord.Status.REVOKED);
        assertThat(verifier().verify(chainOf(patientId)).problems()).isEmpty();
    }

    @Test
    void anInstitutionGrantOpensToItsCareGiversAndRequestsAreChecked() throws Exception {
        Object[] p = patientHoldingTheirKey();
        String pseudonym = (String) p[1];
        Caller patient = (Caller) p[2];
        PrivateKey key = (PrivateKey) p[3];
        Caller doctor = person("kc-dr2-" + p[0], Set.of(PhrRole.PRACTITIONER), Set.of("north-clinic"));
        Caller colleague = person("kc-lab-" + p[0], Set.of(PhrRole.LAB), Set.of("north-clinic"));
        Caller elsewhere = person("kc-far-" + p[0], Set.of(PhrRole.LAB), Set.of("st-mary"));
        Caller researcher = person("kc-res-" + p[0], Set.of(PhrRole.RESEARCHER), Set.of());
        ConsentService consents = spring.getBean(ConsentService.class);
        Instant now = Instant.now();
        ConsentTerms info = new ConsentTerms(List.of("Observation"), AccessLevel.INFORMATION, "TREAT", now, now.plus(Duration.ofDays(1)));

        assertThatThrownBy(() -> consents.request(doctor, pseudonym, Grantee.Kind.INSTITUTION, "st-mary", info))
                .hasMessageStartingWith("PHR-CONSENT-0204");
        assertThatThrownBy(() -> consents.request(doctor, pseudonym, Grantee.Kind.PERSON, null,
                new ConsentTerms(List.of("Organization"), AccessLevel.FULL, "TREAT", now, now.plus(Duration.ofDays(1)))))
                .hasMessageStartingWith("PHR-CONSENT-0205");
        assertThatThrownBy(() -> consents.request(researcher, pseudonym, Grantee.Kind.PERSON, null, info))
                .hasMessageStartingWith("PHR-CONSENT-0203");
        assertThatThrownBy(() -> consents.request(doctor, pseudonym, Grantee.Kind.PERSON, null,
                new ConsentTerms(List.of("Observation"), AccessLevel.FULL, "HRESCH", now, now.plus(Duration.ofDays(1)))))
                .hasMessageStartingWith("PHR-CONSENT-0203");
        assertThatThrownBy(() -> consents.request(doctor, pseudonym, Grantee.Kind.PERSON, null,
                new ConsentTerms(List.of("Observation"), AccessLevel.FULL, "TREAT", now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(2)))))
                .hasMessageStartingWith("PHR-CONSENT-0206");
        assertThatThrownBy(() -> consents.request(doctor, "0".repeat(64), Grantee.Kind.PERSON, null, info))
                .hasMessageStartingWith("PHR-CONSENT-0201");

        ConsentRecord asked = consents.request(doctor, pseudonym, Grantee.Kind.INSTITUTION, "north-clinic", info);
        ConsentRecord rejected = consents.request(researcher, pseudonym, Grantee.Kind.PERSON, null,
                new ConsentTerms(List.of("Observation"), AccessLevel.INFORMATION, "HRESCH", now, now.plus(Duration.ofDays(1))));
        consents.decide(patient, rejected.consentId(), Decision.REJECT, EcdsaP256.sign(key, ConsentService.document(rejected, Decision.REJECT)));
        assertThat(dao(Consent.class).read(new IdType("Consent", rejected.consentId()), new SystemRequestDetails()).getScope()
                .getCodingFirstRep().getCode()).isEqualTo("research");
        assertThatThrownBy(() -> consents.decide(patient, rejected.consentId(), Decision.REVOKE,
                EcdsaP256.sign(key, ConsentService.document(rejected, Decision.REVOKE)))).hasMessageStartingWith("PHR-CONSENT-0302");
        consents.decide(patient, asked.consentId(), Decision.APPROVE, EcdsaP256.sign(key, ConsentService.document(asked, Decision.APPROVE)));

        assertThat(consents.grantsInForce(colleague)).extracting(ConsentGrant::level).containsExactly(AccessLevel.INFORMATION);
        assertThat(consents.grantsInForce(elsewhere)).isEmpty();
        assertThat(consents.grantsInForce(researcher)).isEmpty();
        assertThat(consents.ofParty(researcher)).extracting(ConsentRecord::status).containsExactly(ConsentRecord.Status.REJECTED);
        assertThat(consents.visibleTo(colleague, asked.consentId()).consentId()).isEqualTo(asked.consentId());
        assertThatThrownBy(() -> consents.visibleTo(elsewhere, asked.consentId())).hasMessageStartingWith("PHR-CONSENT-0301");
    }

    @Test
    void aResearchStudyAsksPatientsDrawnFromTheEligibleAndTheApprovalsFormItsPool() throws Exception {
        ConsentService consents = spring.getBean(ConsentService.class);
        Caller researcher = person("kc-study-" + UUID.randomUUID(), Set.of(PhrRole.RESEARCHER), Set.of());
        Caller doctor = person("kc-study-dr", Set.of(PhrRole.PRACTITIONER), Set.of("north-clinic"));
        Map<String, Object[]> byPseudonym = new java.util.HashMap<>();
        List<String> nationalIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String nationalId = "STUDY-" + UUID.randomUUID();
            nationalIds.add("urn:test:national-id|" + nationalId);
            Object[] p = patientHoldingTheirKey(nationalId);
            byPseudonym.put((String) p[1], p);
        }
        String eligibility = "identifier=" + String.join(",", nationalIds);
        Instant now = Instant.now();
        ConsentTerms terms = new ConsentTerms(List.of("Observation"), AccessLevel.INFORMATION, "HRESCH", now, now.plus(Duration.ofDays(90)));

        assertThatThrownBy(() -> consents.study(researcher, eligibility, 4, terms)).hasMessageStartingWith("PHR-CONSENT-0210");
        assertThatThrownBy(() -> consents.study(researcher, "no-such-parameter=1", 1, terms)).hasMessageStartingWith("PHR-CONSENT-0213");
        assertThatThrownBy(() -> consents.study(doctor, eligibility, 1, terms)).hasMessageStartingWith("PHR-CONSENT-0211");
        assertThatThrownBy(() -> consents.study(researcher, eligibility, 0, terms)).hasMessageStartingWith("PHR-CONSENT-0212");

        ResearchStudy study = consents.study(researcher, "?" + eligibility, 2, terms);
        assertThat(study.eligible()).isEqualTo(3);
        List<ConsentRecord> asked = consents.studyOf(researcher, study.id()).getValue();
        assertThat(asked).hasSize(2).extracting(ConsentRecord::pseudonym).doesNotHaveDuplicates().allMatch(byPseudonym::containsKey);
        assertThat(asked).extracting(ConsentRecord::status).containsOnly(ConsentRecord.Status.PENDING);
        assertThat(consents.researchPool(researcher, study.id())).isEmpty();
        assertThatThrownBy(() -> consents.studyOf(person("kc-other-researcher", Set.of(PhrRole.RESEARCHER), Set.of()), study.id()))
                .hasMessageStartingWith("PHR-CONSENT-0304");

        ConsentRecord first = asked.get(0);
        Object[] p = byPseudonym.get(first.pseudonym());
        consents.decide((Caller) p[2], first.consentId(), Decision.APPROVE,
                EcdsaP256.sign((PrivateKey) p[3], ConsentService.document(first, Decision.APPROVE)));
        ConsentRecord second = asked.get(1);
        Object[] q = byPseudonym.get(second.pseudonym());
        consents.decide((Caller) q[2], second.consentId(), Decision.REJECT,
                EcdsaP256.sign((PrivateKey) q[3], ConsentService.document(second, Decision.REJECT)));
        assertThat(consents.researchPool(researcher, study.id())).extracting(ConsentRecord::pseudonym).containsExactly(first.pseudonym());
    }

    @Test
    void aCustodianDecidesForThePatientWithTheirOwnRegisteredKey() throws Exception {
        Object[] p = patientHoldingTheirKey();
        String pseudonym = (String) p[1];
        PrivateKey patientKey = (PrivateKey) p[3];
        ConsentService consents = spring.getBean(ConsentService.class);
        Caller doctor = person("kc-cust-dr-" + p[0], Set.of(PhrRole.PRACTITIONER), Set.of("st-mary"));
        Caller familyDoctor = person("kc-cust-fd-" + p[0], Set.of(PhrRole.FAMILY_DOCTOR), Set.of("north-clinic"));
        Caller admin = person("kc-cust-admin", Set.of(PhrRole.ADMIN), Set.of());
        java.security.KeyPair custodianKey = EcdsaP256.generate();
        Instant now = Instant.now();
        ConsentTerms terms = new ConsentTerms(List.of("Observation"), AccessLevel.FULL, "TREAT", now, now.plus(Duration.ofDays(7)));
        ConsentRecord asked = consents.request(doctor, pseudonym, Grantee.Kind.PERSON, null, terms);
        byte[] approval = ConsentService.document(asked, Decision.APPROVE);

        assertThatThrownBy(() -> consents.registerCustodianKey(doctor, custodianKey.getPublic().getEncoded()))
                .hasMessageStartingWith("PHR-CONSENT-0307");
        assertThatThrownBy(() -> consents.registerCustodianKey(familyDoctor, new byte[]{1, 2, 3})).hasMessageStartingWith("PHR-CONSENT-0308");
        consents.registerCustodianKey(familyDoctor, custodianKey.getPublic().getEncoded());
        assertThatThrownBy(() -> consents.decide(familyDoctor, asked.consentId(), Decision.APPROVE, EcdsaP256.sign(custodianKey.getPrivate(), approval)))
                .as("not yet custodian").hasMessageStartingWith("PHR-CONSENT-0301");
        assertThatThrownBy(() -> consents.custodian(admin, pseudonym, "nobody", true)).hasMessageStartingWith("PHR-CONSENT-0306");
        consents.custodian(admin, pseudonym, familyDoctor.username(), true);
        assertThat(consents.ofCustodian(familyDoctor)).extracting(ConsentRecord::consentId).contains(asked.consentId());
        assertThat(consents.decidesFor(familyDoctor, asked)).isTrue();

        assertThatThrownBy(() -> consents.decide(familyDoctor, asked.consentId(), Decision.APPROVE, EcdsaP256.sign(patientKey, approval)))
                .as("the custodian signs with their own key").hasMessageStartingWith("PHR-CONSENT-0303");
        ConsentRecord approved = consents.decide(familyDoctor, asked.consentId(), Decision.APPROVE,
                EcdsaP256.sign(custodianKey.getPrivate(), approval));
        assertThat(approved.status()).isEqualTo(ConsentRecord.Status.ACTIVE);
        assertThat(approved.decidedBy()).isEqualTo(familyDoctor.subject());
        Consent stored = dao(Consent.class).read(new IdType("Consent", asked.consentId()), new SystemRequestDetails());
        Signature signature = (Signature) stored.getExtensionByUrl(ConsentService.SIGNATURE_EXTENSION).getValue();
        assertThat(signature.getWho().getIdentifier().getValue()).isEqualTo(familyDoctor.subject());
        assertThat(signature.getOnBehalfOf().getReference()).isEqualTo("Patient/" + p[0]);
        assertThat(stored.getPerformerFirstRep().getDisplay()).contains("custodian");

        ConsentRecord own = consents.request(familyDoctor, pseudonym, Grantee.Kind.PERSON, null, terms);
        assertThat(consents.decidesFor(familyDoctor, own)).isFalse();
        assertThatThrownBy(() -> consents.decide(familyDoctor, own.consentId(), Decision.APPROVE,
                EcdsaP256.sign(custodianKey.getPrivate(), ConsentService.document(own, Decision.APPROVE))))
                .as("no deciding about one's own request").hasMessageStartingWith("PHR-CONSENT-0305");
        consents.custodian(admin, pseudonym, familyDoctor.username(), false);
        assertThat(consents.ofCustodian(familyDoctor)).isEmpty();
    }

    @Test
    void anEmergencyAccessOpensTheWholeRecordAtOnceNotifiesThePatientAndStandsOutInTheAudit() throws Exception {
        Object[] p = patientHoldingTheirKey();
        String patientId = (String) p[0];
        String pseudonym = (String) p[1];
        Caller patient = (Caller) p[2];
        PrivateKey key = (PrivateKey) p[3];
        Caller doctor = person("kc-er-" + patientId, Set.of(PhrRole.PRACTITIONER), Set.of("st-mary"));
        Caller researcher = person("kc-er-res-" + patientId, Set.of(PhrRole.RESEARCHER), Set.of());
        ConsentService consents = spring.getBean(ConsentService.class);
        Instant now = Instant.now();

        assertThatThrownBy(() -> consents.emergency(doctor, pseudonym, "  ")).hasMessageStartingWith("PHR-CONSENT-0209");
        assertThatThrownBy(() -> consents.emergency(doctor, pseudonym, "x".repeat(1001))).hasMessageStartingWith("PHR-CONSENT-0209");
        assertThatThrownBy(() -> consents.emergency(researcher, pseudonym, "curious")).hasMessageStartingWith("PHR-CONSENT-0208");
        assertThatThrownBy(() -> consents.emergency(doctor, "0".repeat(64), "unconscious")).hasMessageStartingWith("PHR-CONSENT-0201");
        assertThatThrownBy(() -> consents.request(doctor, pseudonym, Grantee.Kind.PERSON, null,
                new ConsentTerms(List.of("*"), AccessLevel.FULL, "ETREAT", now, now.plus(Duration.ofHours(1)))))
                .hasMessageStartingWith("PHR-CONSENT-0207");
        assertThatThrownBy(() -> new ConsentTerms(List.of("*"), AccessLevel.FULL, "TREAT", now, now.plus(Duration.ofHours(1))))
                .hasMessageStartingWith("PHR-CONSENT-0106");
        assertThat(consents.grantsInForce(doctor)).isEmpty();

        ConsentRecord declared = consents.emergency(doctor, pseudonym, "unconscious in the emergency room");
        assertThat(declared.state(Instant.now())).isEqualTo(ConsentRecord.Status.ACTIVE);
        assertThat(declared.terms().end()).isEqualTo(declared.terms().start().plus(Duration.ofHours(24)));
        assertThat(consents.grantsInForce(doctor)).singleElement().isEqualTo(
                new ConsentGrant(declared.consentId(), Set.of(patientId), AccessLevel.FULL, Set.of("*"), true));
        Consent consent = dao(Consent.class).read(new IdType("Consent", declared.consentId()), new SystemRequestDetails());
        assertThat(consent.getStatus()).isEqualTo(Consent.ConsentState.ACTIVE);
        assertThat(consent.getProvision().getPurposeFirstRep().getCode()).isEqualTo("ETREAT");
        assertThat(consent.getProvision().getClass_()).as("no class: every type").isEmpty();
        assertThat(consent.getExtensionString(ConsentService.EMERGENCY_REASON_EXTENSION)).isEqualTo("unconscious in the emergency room");
        org.hl7.fhir.r4.model.Communication notice = dao(org.hl7.fhir.r4.model.Communication.class)
                .read(new IdType("Communication", declared.emergency().communicationId()), new SystemRequestDetails());
        assertThat(notice.getRecipientFirstRep().getReference()).isEqualTo("Patient/" + patientId);
        assertThat(notice.getAboutFirstRep().getReference()).isEqualTo("Consent/" + declared.consentId());
        assertThat(notice.getPayloadFirstRep().getContentStringType().getValue()).contains("unconscious in the emergency room")
                .contains(doctor.username());
        assertThat(consents.emergenciesOfPatientLogin(patient.subject())).extracting(ConsentRecord::consentId)
                .containsExactly(declared.consentId());
        assertThat(chainOf(patientId).get(chainOf(patientId).size() - 1).entries()).extracting(e -> e.resourceType())
                .as("the Consent and its notice are chained in one block").containsExactlyInAnyOrder("Consent", "Communication");
        AuditLog.Stored audited = spring.getBean(AuditLog.class).aboutPatients(Set.of(patientId), null, null, doctor.subject(), null, 10).get(0);
        assertThat(audited.emergency()).as("the declaration itself is audited as emergency").isTrue();

        consents.decide(patient, declared.consentId(), Decision.REVOKE,
                EcdsaP256.sign(key, ConsentService.document(declared, Decision.REVOKE)));
        assertThat(consents.grantsInForce(doctor)).as("the patient may end it").isEmpty();
    }

    @Test
    void observationStatsGiveRangesAndTrendsOfAPatientsSeriesWithoutASingleObservation() {
        String patient = patients().create(patientWithNationalId("STATS-" + System.nanoTime()), new SystemRequestDetails())
                .getId().getIdPart();
        String other = patients().create(patientWithNationalId("STATS-OTHER-" + System.nanoTime()), new SystemRequestDetails())
                .getId().getIdPart();
        IFhirResourceDao<Observation> observations = dao(Observation.class);
        Instant first = Instant.parse("2026-01-01T08:00:00Z");
        double[] glucose = {90, 95, 100, 105, 110}; // mg/dL, one a day: +5 a day
        for (int i = 0; i < glucose.length; i++) {
            observations.create(glucose(patient, glucose[i], first.plus(Duration.ofDays(i))), new SystemRequestDetails());
        }
        observations.create(glucose(other, 300, first), new SystemRequestDetails());
        Observation noValue = glucose(patient, 0, first.plus(Duration.ofDays(2)));
        noValue.setValue(null).setDataAbsentReason(new org.hl7.fhir.r4.model.CodeableConcept().setText("sample lost"));
        observations.create(noValue, new SystemRequestDetails());
        Observation bp = new Observation().setStatus(Observation.ObservationStatus.FINAL)
                .setCode(new org.hl7.fhir.r4.model.CodeableConcept(new org.hl7.fhir.r4.model.Coding("http://loinc.org", "85354-9", "Blood pressure panel")))
                .setSubject(new Reference("Patient/" + patient)).setEffective(new org.hl7.fhir.r4.model.DateTimeType(java.util.Date.from(first)));
        bp.addComponent().setCode(new org.hl7.fhir.r4.model.CodeableConcept(new org.hl7.fhir.r4.model.Coding("http://loinc.org", "8480-6", "Systolic")))
                .setValue(new org.hl7.fhir.r4.model.Quantity(128).setSystem("http://unitsofmeasure.org").setCode("mm[Hg]").setUnit("mmHg"));
        observations.create(bp, new SystemRequestDetails());

        var stats = new org.phrcloud.standards.fhir.stats.ObservationStatsProvider(observations);
        List<org.hl7.fhir.r4.model.CodeType> wanted = java.util.stream.Stream.of("count,total-count", "minimum", "maximum", "average", "regression", "std-dev")
                .map(org.hl7.fhir.r4.model.CodeType::new).toList();
        org.hl7.fhir.r4.model.Parameters out = stats.stats(new org.hl7.fhir.r4.model.UriType("Patient/" + patient),
                List.of(new org.hl7.fhir.r4.model.StringType("2339-0")), new org.hl7.fhir.r4.model.UriType("http://loinc.org"), null,
                null, null, wanted, null, null);
        assertThat(out.getParameter()).hasSize(1).allMatch(p -> p.getName().equals("statistics"));
        Observation result = (Observation) out.getParameterFirstRep().getResource();
        assertThat(result.getIdElement().hasIdPart()).as("a computed Observation, not a stored one").isFalse();
        assertThat(result.getSubject().getReference()).isEqualTo("Patient/" + patient);
        assertThat(result.getCode().getCodingFirstRep().getCode()).isEqualTo("2339-0");
        assertThat(result.getEffectivePeriod().getStart()).isEqualTo(java.util.Date.from(first));
        assertThat(result.getEffectivePeriod().getEnd()).isEqualTo(java.util.Date.from(first.plus(Duration.ofDays(4))));
        java.util.Map<String, org.hl7.fhir.r4.model.Observation.ObservationComponentComponent> byCode = new java.util.HashMap<>();
        result.getComponent().forEach(c -> byCode.put(c.getCode().getCodingFirstRep().getCode(), c));
        assertThat(byCode.keySet()).containsExactlyInAnyOrder("count", "total-count", "minimum", "maximum", "average", "regression", "std-dev");
        assertThat(byCode.get("count").getValueIntegerType().getValue()).as("the other patient's 300 is not counted").isEqualTo(5);
        assertThat(byCode.get("total-count").getValueIntegerType().getValue()).isEqualTo(6);
        assertThat(byCode.get("minimum").getValueQuantity().getValue()).isEqualByComparingTo("90");
        assertThat(byCode.get("maximum").getValueQuantity().getValue()).isEqualByComparingTo("110");
        assertThat(byCode.get("maximum").getValueQuantity().getCode()).isEqualTo("mg/dL");
        assertThat(byCode.get("average").getValueQuantity().getValue()).isEqualByComparingTo("100");
        assertThat(byCode.get("regression").getValueQuantity().getValue().doubleValue()).isCloseTo(5.0, within(1e-9));
        assertThat(byCode.get("regression").getValueQuantity().getCode()).isEqualTo("(mg/dL)/d");
        assertThat(((org.hl7.fhir.r4.model.Quantity) byCode.get("regression")
                .getExtensionByUrl(org.phrcloud.standards.fhir.stats.ObservationStatsProvider.INTERCEPT_EXTENSION).getValue())
                .getValue().doubleValue()).isCloseTo(90.0, within(1e-9));
        assertThat(byCode.get("std-dev").getValueQuantity().getValue().doubleValue()).isCloseTo(Math.sqrt(62.5), within(1e-9));

        // a panel member is found by its component code; one value has no standard deviation
        org.hl7.fhir.r4.model.Parameters systolic = stats.stats(new org.hl7.fhir.r4.model.UriType("Patient/" + patient),
                List.of(new org.hl7.fhir.r4.model.StringType("8480-6")), null, null, null, null, wanted, null, null);
        Observation sys = (Observation) systolic.getParameterFirstRep().getResource();
        assertThat(sys.getComponent()).anySatisfy(c -> {
            assertThat(c.getCode().getCodingFirstRep().getCode()).isEqualTo("maximum");
            assertThat(c.getValueQuantity().getValue()).isEqualByComparingTo("128");
        }).anySatisfy(c -> {
            assertThat(c.getCode().getCodingFirstRep().getCode()).isEqualTo("std-dev");
            assertThat(c.getDataAbsentReason().getCodingFirstRep().getCode()).isEqualTo("not-a-number");
        });

        // a period narrows; include gives the source Observations, oldest first, up to limit
        org.hl7.fhir.r4.model.Parameters lastTwo = stats.stats(new org.hl7.fhir.r4.model.UriType("Patient/" + patient),
                List.of(new org.hl7.fhir.r4.model.StringType("2339-0")), null, null, null,
                new org.hl7.fhir.r4.model.Period().setStart(java.util.Date.from(first.plus(Duration.ofDays(3)))),
                List.of(new org.hl7.fhir.r4.model.CodeType("count")), new org.hl7.fhir.r4.model.BooleanType(true),
                new org.hl7.fhir.r4.model.PositiveIntType(1));
        assertThat(((Observation) lastTwo.getParameter("statistics").getResource()).getComponentFirstRep().getValueIntegerType().getValue())
                .isEqualTo(2);
        assertThat(lastTwo.getParameter().stream().filter(p -> p.getName().equals("source")).toList()).hasSize(1)
                .allSatisfy(p -> assertThat(((Observation) p.getResource()).getValueQuantity().getValue()).isEqualByComparingTo("105"));

        assertThatThrownBy(() -> stats.stats(new org.hl7.fhir.r4.model.UriType("Patient/" + patient), null, null, null, null, null,
                List.of(new org.hl7.fhir.r4.model.CodeType("mode")), null, null)).hasMessageStartingWith("PHR-FHIR-0301");
        assertThatThrownBy(() -> stats.stats(new org.hl7.fhir.r4.model.UriType("Group/1"), null, null, null, null, null,
                List.of(new org.hl7.fhir.r4.model.CodeType("count")), null, null)).hasMessageStartingWith("PHR-FHIR-0302");
    }

    private static Observation glucose(String patient, double mgPerDl, Instant at) {
        return new Observation().setStatus(Observation.ObservationStatus.FINAL)
                .setCode(new org.hl7.fhir.r4.model.CodeableConcept(new org.hl7.fhir.r4.model.Coding("http://loinc.org", "2339-0", "Glucose")))
                .setSubject(new Reference("Patient/" + patient))
                .setEffective(new org.hl7.fhir.r4.model.DateTimeType(java.util.Date.from(at)))
                .setValue(new org.hl7.fhir.r4.model.Quantity(mgPerDl).setSystem("http://unitsofmeasure.org").setCode("mg/dL").setUnit("mg/dL"));
    }

    private static String oru(String nationalId, String controlId, String facility, String version, String glucose) {
        return String.join("\r",
                "MSH|^~\\&|LIS|" + facility + "|PHR|PHR|20260110083000||ORU^R01|" + controlId + "|P|" + version,
                "PID|1||" + nationalId + "^^^&urn:test:national-id&URI||Lindqvist^Maria||19700101|F",
                "OBR|1|PL-1|FL-" + controlId + "|24323-8^Comprehensive metabolic panel^LN|||20260110080000|||||||||||||||20260110082500|||F",
                "OBX|1|NM|2339-0^Glucose^LN||" + glucose + "|mg/dL^mg/dL^UCUM|70-99|H|||F",
                "OBX|2|NM|2823-3^Potassium^LN||4.1|mmol/L^mmol/L^UCUM|3.5-5.1|N|||F",
                "OBX|3|ST|8251-1^Comment^LN||hemolysed sample||||||F", "");
    }

    private static long stored(Class<? extends IBaseResource> type, String patientId) {
        return dao(type).search(SearchParameterMap.newSynchronous("subject", new ca.uhn.fhir.rest.param.ReferenceParam("Patient/" + patientId)),
                new SystemRequestDetails()).size();
    }

    private static String msa(String ack) {
        return java.util.Arrays.stream(ack.split("\r")).filter(l -> l.startsWith("MSA")).findFirst().orElse("");
    }

    private static String err(String ack) {
        return java.util.Arrays.stream(ack.split("\r")).filter(l -> l.startsWith("ERR")).findFirst().orElse("");
    }

    @Test
    void anOruR01IsStoredOnceThroughTheWritePathAndBadMessagesGetANackWithoutWritingAnything() throws Exception {
        String nationalId = "HL7-" + UUID.randomUUID();
        String patientId = patients().create(patientWithNationalId(nationalId), new SystemRequestDetails()).getId().getIdPart();
        Caller lis = new Caller("kc-lis", "service-account-lis", "lis", Set.of(), null,
                Instant.now().plusSeconds(300), true, Set.of("st-mary"));
        org.phrcloud.standards.hl7v2.Hl7v2Ingestion ingestion = spring.getBean(org.phrcloud.standards.hl7v2.Hl7v2Ingestion.class);
        org.phrcloud.standards.hl7v2.Hl7v2Ingestion.Senders senders = facility -> {
            if (!lis.institutions().contains(facility)) {
                throw new ca.uhn.hl7v2.HL7Exception("not the caller's institution", ca.uhn.hl7v2.ErrorCode.APPLICATION_INTERNAL_ERROR);
            }
            return lis;
        };
        int blocks = chainOf(patientId).size();
        String control = "C-" + UUID.randomUUID();
        String message = oru(nationalId, control, "st-mary", "2.3", "105");

        String ack = ingestion.receive(message, senders);
        assertThat(msa(ack)).isEqualTo("MSA|AA|" + control);
        assertThat(stored(org.hl7.fhir.r4.model.DiagnosticReport.class, patientId)).isEqualTo(1);
        assertThat(stored(Observation.class, patientId)).isEqualTo(3);
        List<Block> chain = chainOf(patientId);
        assertThat(chain).as("one block for the message").hasSize(blocks + 1);
        assertThat(chain.get(chain.size() - 1).entries()).extracting(Entry::resourceType)
                .containsExactlyInAnyOrder("Observation", "Observation", "Observation", "DiagnosticReport");
        assertThat(spring.getBean(AuditLog.class).aboutPatients(Set.of(patientId), null, null, null, null, 100))
                .as("one AuditEvent for the message's transaction, by the sender").filteredOn(e -> e.actor().equals("lis"))
                .hasSize(1).allSatisfy(e -> assertThat(e.outcome()).isZero());

        assertThat(ingestion.receive(message, senders)).as("a resend gets the original ACK").isEqualTo(ack);
        assertThat(ingestion.receive(message.replace("\r", "\n"), senders)).as("line ends of a file").isEqualTo(ack);
        assertThat(stored(Observation.class, patientId)).as("and writes nothing").isEqualTo(3);
        assertThat(chainOf(patientId)).hasSize(blocks + 1);

        String unknown = ingestion.receive(oru("NOBODY-" + UUID.randomUUID(), "C-2-" + control, "st-mary", "2.5.1", "99"), senders);
        assertThat(msa(unknown)).startsWith("MSA|AE|C-2-" + control);
        assertThat(err(unknown)).contains("PID^1^3").contains("204");
        try (java.sql.Connection c = spring.getBean(javax.sql.DataSource.class).getConnection();
             java.sql.PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM phr_audit_event WHERE actor = ? AND outcome = 4 "
                     + "AND resource_json LIKE ?")) {
            q.setString(1, "lis");
            q.setString(2, "%C-2-" + control + "%");
            try (java.sql.ResultSet r = q.executeQuery()) {
                r.next();
                assertThat(r.getLong(1)).as("the refused message is an AuditEvent").isEqualTo(1);
            }
        }
        String badValue = ingestion.receive(oru(nationalId, "C-3-" + control, "st-mary", "2.5.1", "high"), senders);
        assertThat(msa(badValue)).startsWith("MSA|AE|C-3-" + control);
        assertThat(err(badValue)).contains("OBX^1^5").contains("102");
        String otherFacility = ingestion.receive(oru(nationalId, "C-4-" + control, "elsewhere", "2.5.1", "99"), senders);
        assertThat(msa(otherFacility)).startsWith("MSA|AR|C-4-" + control);
        String oldVersion = ingestion.receive(oru(nationalId, "C-5-" + control, "st-mary", "2.2", "99"), senders);
        assertThat(msa(oldVersion)).startsWith("MSA|AR|C-5-" + control);
        assertThat(err(oldVersion)).contains("203");
        String unsupported = ingestion.receive(oru(nationalId, "C-6-" + control, "st-mary", "2.5.1", "99").replace("ORU^R01", "QRY^A19"), senders);
        assertThat(msa(unsupported)).startsWith("MSA|AR|C-6-" + control);
        assertThat(err(unsupported)).contains("200");
        // MSH-2 of five characters (v2.7's truncation character, not in 2.3 to 2.6): it parses, but no ACK can be
        // encoded with its separators, so the message is refused (AR at MSH-2, a data type error) and not stored
        String fiveSeparators = ingestion.receive(oru(nationalId, "C-7-" + control, "st-mary", "2.5.1", "99").replace("MSH|^~\\&|",
                "MSH|^~\\&#|"), senders);
        assertThat(msa(fiveSeparators)).startsWith("MSA|AR|C-7-" + control);
        assertThat(err(fiveSeparators)).contains("MSH^1^2").contains("102");
        String garbage = ingestion.receive("this is not HL7", senders);
        assertThat(msa(garbage)).startsWith("MSA|AR");
        assertThat(err(garbage)).as("with its reason").contains("^HL70357^");
        assertThat(stored(Observation.class, patientId)).as("no refused message wrote anything").isEqualTo(3);
        assertThat(chainOf(patientId)).hasSize(blocks + 1);

        // the same through MLLP with HAPI's own client; the listener keeps serving after a bad message
        try (org.phrcloud.standards.hl7v2.MllpListener mllp = new org.phrcloud.standards.hl7v2.MllpListener(ingestion, "127.0.0.1", 0,
                "st-mary"::equals)) {
            ca.uhn.hl7v2.HapiContext client = org.phrcloud.standards.hl7v2.Hl7v2Ingestion.newContext();
            ca.uhn.hl7v2.app.Connection connection = client.newClient("127.0.0.1", mllp.port(), false);
            try {
                ca.uhn.hl7v2.parser.PipeParser parser = client.getPipeParser();
                String fromUnknown = parser.encode(connection.getInitiator().sendAndReceive(
                        parser.parse(oru(nationalId, "M-1-" + control, "unknown-lab", "2.5.1", "120"))));
                assertThat(msa(fromUnknown)).startsWith("MSA|AR|M-1-" + control);
                String viaMllp = parser.encode(connection.getInitiator().sendAndReceive(
                        parser.parse(oru(nationalId, "M-2-" + control, "st-mary", "2.5.1", "120"))));
                assertThat(msa(viaMllp)).isEqualTo("MSA|AA|M-2-" + control);
            } finally {
                connection.close();
            }
        }
        assertThat(stored(Observation.class, patientId)).isEqualTo(6);
        assertThat(spring.getBean(AuditLog.class).aboutPatients(Set.of(patientId), null, null, null, null, 100))
                .extracting(AuditLog.Stored::actor).contains("mllp:st-mary");
    }

    @Test
    void admissionsUpdatesOrdersAndDispensesLandAsPatientEncounterMedicationRequestAndDispenseWithoutDuplicates() throws Exception {
        org.phrcloud.standards.hl7v2.Hl7v2Ingestion ingestion = spring.getBean(org.phrcloud.standards.hl7v2.Hl7v2Ingestion.class);
        Caller his = new Caller("kc-his", "service-account-his", "his", Set.of(), null,
                Instant.now().plusSeconds(300), true, Set.of("st-mary"));
        org.phrcloud.standards.hl7v2.Hl7v2Ingestion.Senders senders = facility -> his;
        String nationalId = "ADT-" + UUID.randomUUID();
        String run = UUID.randomUUID().toString().substring(0, 8);

        assertThat(msa(ingestion.receive(org.phrcloud.standards.hl7v2.Hl7v2Messages.adt("A01", run + "-1", nationalId, "Lindqvist", "V-" + run),
                senders))).isEqualTo("MSA|AA|" + run + "-1");
        List<IBaseResource> found = patients().search(SearchParameterMap.newSynchronous("identifier",
                new TokenParam("urn:test:national-id", nationalId)), new SystemRequestDetails()).getAllResources();
        assertThat(found).hasSize(1);
        String patientId = found.get(0).getIdElement().getIdPart();
        assertThat(mpi().pseudonymOfPatient(patientId)).as("the new Patient got its identity in the master patient index").isPresent();
        assertThat(stored(org.hl7.fhir.r4.model.Encounter.class, patientId)).isEqualTo(1);
        int blocks = chainOf(patientId).size();

        assertThat(msa(ingestion.receive(org.phrcloud.standards.hl7v2.Hl7v2Messages.adt("A08", run + "-2", nationalId, "Lindqvist-Berg", ""),
                senders))).isEqualTo("MSA|AA|" + run + "-2");
        assertThat(msa(ingestion.receive(org.phrcloud.standards.hl7v2.Hl7v2Messages.adt("A01", run + "-3", nationalId, "Lindqvist-Berg", "V-" + run),
                senders))).as("the same visit again, under a new control id").isEqualTo("MSA|AA|" + run + "-3");
        assertThat(msa(ingestion.receive(org.phrcloud.standards.hl7v2.Hl7v2Messages.adt("A04", run + "-4", nationalId, "Lindqvist-Berg", "V2-" + run),
                senders))).isEqualTo("MSA|AA|" + run + "-4");
        assertThat(patients().search(SearchParameterMap.newSynchronous("identifier", new TokenParam("urn:test:national-id", nationalId)),
                new SystemRequestDetails()).size()).as("one Patient, updated").isEqualTo(1);
        assertThat(patients().read(new IdType("Patient", patientId), new SystemRequestDetails()).getNameFirstRep().getFamily())
                .isEqualTo("Lindqvist-Berg");
        assertThat(stored(org.hl7.fhir.r4.model.Encounter.class, patientId)).as("two visits").isEqualTo(2);

        assertThat(msa(ingestion.receive(org.phrcloud.standards.hl7v2.Hl7v2Messages.rde(run + "-5", nationalId, "NW", "ORD-" + run), senders)))
                .isEqualTo("MSA|AA|" + run + "-5");
        assertThat(msa(ingestion.receive(org.phrcloud.standards.hl7v2.Hl7v2Messages.rde(run + "-6", nationalId, "CA", "ORD-" + run), senders)))
                .isEqualTo("MSA|AA|" + run + "-6");
        List<IBaseResource> requests = dao(org.hl7.fhir.r4.model.MedicationRequest.class).search(SearchParameterMap.newSynchronous("subject",
                new ca.uhn.fhir.rest.param.ReferenceParam("Patient/" + patientId)), new SystemRequestDetails()).getAllResources();
        assertThat(requests).as("the cancel updated the order").hasSize(1);
        assertThat(((org.hl7.fhir.r4.model.MedicationRequest) requests.get(0)).getStatus())
                .isEqualTo(org.hl7.fhir.r4.model.MedicationRequest.MedicationRequestStatus.CANCELLED);
        assertThat(msa(ingestion.receive(org.phrcloud.standards.hl7v2.Hl7v2Messages.rds(run + "-7", nationalId, "ORD-" + run), senders)))
                .isEqualTo("MSA|AA|" + run + "-7");
        assertThat(stored(org.hl7.fhir.r4.model.MedicationDispense.class, patientId)).isEqualTo(1);
        assertThat(chainOf(patientId)).as("one block per message that changed something (the repeated admission changed nothing)")
                .hasSize(blocks + 5);
        assertThat(spring.getBean(AuditLog.class).aboutPatients(Set.of(patientId), null, null, null, null, 100))
                .as("one AuditEvent per message that stored something, by the sender's client").filteredOn(e -> e.actor().equals("his")).hasSize(6).allSatisfy(e -> assertThat(e.outcome()).isZero());

        String unknown = ingestion.receive(org.phrcloud.standards.hl7v2.Hl7v2Messages.rds(run + "-8", "NOBODY-" + run, "ORD-" + run), senders);
        assertThat(msa(unknown)).startsWith("MSA|AE|" + run + "-8");
        assertThat(err(unknown)).contains("204");
        Caller colleague = person("kc-other-lab", Set.of(PhrRole.LAB), Set.of("elsewhere"));
        String refused = ingestion.receive(org.phrcloud.standards.hl7v2.Hl7v2Messages.rds(run + "-9", nationalId, "ORD-" + run), facility -> colleague);
        assertThat(msa(refused)).as("a care giver of another institution may not write for this patient").startsWith("MSA|AR|" + run + "-9");
        assertThat(stored(org.hl7.fhir.r4.model.MedicationDispense.class, patientId)).isEqualTo(1);
    }

    @Test
    void operatorTerminologyLoadsFromFilesTranslatesAndMapsTheLocalCodesOfMessages(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Files.writeString(dir.resolve("kostom-to-loinc.csv"), String.join("\n",
                org.phrcloud.standards.fhir.terminology.TerminologyLoader.CSV_HEADER,
                "urn:phr:hl7v2:coding-system:KOSTOM,C3811,Glucose (test),http://loinc.org,2339-0,Glucose [Mass/volume] in Blood,equivalent",
                "urn:phr:hl7v2:coding-system:KOSTOM,C3812,HbA1c (test),http://loinc.org,4548-4,Hemoglobin A1c,",
                "urn:phr:hl7v2:coding-system:KOSTOM,C9999,Panel (test),http://loinc.org,24323-8,Metabolic panel,wider", ""));
        java.nio.file.Files.writeString(dir.resolve("kostom-units-to-ucum.csv"), String.join("\n",
                org.phrcloud.standards.fhir.terminology.TerminologyLoader.CSV_HEADER,
                "urn:phr:hl7v2:coding-system:KOSTOMUNIT,MGDL,milligrams per decilitre,http://unitsofmeasure.org,mg/dL,mg/dL,equivalent", ""));
        java.nio.file.Files.writeString(dir.resolve("local-codes.json"), "{\"resourceType\":\"CodeSystem\",\"url\":"
                + "\"urn:phr:hl7v2:coding-system:KOSTOM\",\"status\":\"active\",\"content\":\"complete\",\"concept\":["
                + "{\"code\":\"C3811\",\"display\":\"Glucose (test)\"},{\"code\":\"C3812\",\"display\":\"HbA1c (test)\"}]}");
        org.phrcloud.standards.fhir.terminology.TerminologyLoader loader = spring.getBean(org.phrcloud.standards.fhir.terminology.TerminologyLoader.class);
        assertThat(loader.load(dir)).isEqualTo(new org.phrcloud.standards.fhir.terminology.TerminologyLoader.Loaded(1, 2, 0));
        assertThat(loader.load(dir)).as("loading again replaces, never duplicates").isEqualTo(new org.phrcloud.standards.fhir.terminology.TerminologyLoader.Loaded(1, 2, 0));
        assertThat(dao(org.hl7.fhir.r4.model.ConceptMap.class).search(SearchParameterMap.newSynchronous("url",
                new ca.uhn.fhir.rest.param.UriParam("urn:phr:conceptmap:kostom-to-loinc")), new SystemRequestDetails()).size()).isEqualTo(1);

        @SuppressWarnings("unchecked")
        ca.uhn.fhir.jpa.api.dao.IFhirResourceDaoConceptMap<org.hl7.fhir.r4.model.ConceptMap> maps =
                (ca.uhn.fhir.jpa.api.dao.IFhirResourceDaoConceptMap<org.hl7.fhir.r4.model.ConceptMap>) (Object) dao(org.hl7.fhir.r4.model.ConceptMap.class);
        var translated = maps.translate(new ca.uhn.fhir.jpa.api.model.TranslationRequest()
                .addCode("urn:phr:hl7v2:coding-system:KOSTOM", "C3812"), new SystemRequestDetails()).getResults();
        assertThat(translated).extracting(r -> r.getSystem() + "|" + r.getCode()).containsExactly("http://loinc.org|4548-4");

        String nationalId = "TERM-" + UUID.randomUUID();
        String patientId = patients().create(patientWithNationalId(nationalId), new SystemRequestDetails()).getId().getIdPart();
        Caller lis = new Caller("kc-lis", "service-account-lis", "lis", Set.of(), null,
                Instant.now().plusSeconds(300), true, Set.of("st-mary"));
        String local = oru(nationalId, "T-" + UUID.randomUUID(), "st-mary", "2.5.1", "101")
                .replace("2339-0^Glucose^LN", "C3811^Glucose (test)^KOSTOM").replace("24323-8^Comprehensive metabolic panel^LN", "C9999^Panel^KOSTOM")
                .replace("101|mg/dL^mg/dL^UCUM", "101|MGDL^mg per dl^KOSTOMUNIT").replace("4.1|mmol/L^mmol/L^UCUM", "4.1|MMOL^mmol per l^KOSTOMUNIT");
        assertThat(msa(spring.getBean(org.phrcloud.standards.hl7v2.Hl7v2Ingestion.class).receive(local, f -> lis))).startsWith("MSA|AA|");
        Observation glucose = (Observation) dao(Observation.class).search(SearchParameterMap.newSynchronous("subject",
                        new ca.uhn.fhir.rest.param.ReferenceParam("Patient/" + patientId)).add("code", new TokenParam("http://loinc.org", "2339-0")),
                new SystemRequestDetails()).getAllResources().get(0);
        assertThat(glucose.getCode().getCoding()).extracting(c -> c.getSystem() + "|" + c.getCode())
                .as("the sender's local code first, then its LOINC equivalent").containsExactly("urn:phr:hl7v2:coding-system:KOSTOM|C3811", "http://loinc.org|2339-0");
        org.hl7.fhir.r4.model.Quantity mgdl = glucose.getValueQuantity();
        assertThat(mgdl.getValue().toPlainString() + " " + mgdl.getUnit() + " " + mgdl.getSystem() + "|" + mgdl.getCode())
                .as("a local unit a map names: UCUM coded, the sender's text kept").isEqualTo("101 mg per dl http://unitsofmeasure.org|mg/dL");
        assertThat(glucose.getReferenceRangeFirstRep().getLow().getSystem() + "|" + glucose.getReferenceRangeFirstRep().getHigh().getCode())
                .as("the reference range in the same unit").isEqualTo("http://unitsofmeasure.org|mg/dL");
        Observation potassium = (Observation) dao(Observation.class).search(SearchParameterMap.newSynchronous("subject",
                        new ca.uhn.fhir.rest.param.ReferenceParam("Patient/" + patientId)).add("code", new TokenParam("http://loinc.org", "2823-3")),
                new SystemRequestDetails()).getAllResources().get(0);
        org.hl7.fhir.r4.model.Quantity mmol = potassium.getValueQuantity();
        assertThat(mmol.getUnit() + " " + mmol.getSystem() + "|" + mmol.getCode()).as("a local unit no map names: kept as it came")
                .isEqualTo("mmol per l urn:phr:hl7v2:coding-system:KOSTOMUNIT|MMOL");
        org.hl7.fhir.r4.model.DiagnosticReport report = (org.hl7.fhir.r4.model.DiagnosticReport) dao(org.hl7.fhir.r4.model.DiagnosticReport.class)
                .search(SearchParameterMap.newSynchronous("subject", new ca.uhn.fhir.rest.param.ReferenceParam("Patient/" + patientId)),
                        new SystemRequestDetails()).getAllResources().get(0);
        assertThat(report.getCode().getCoding()).as("a wider map is not applied").hasSize(1);

        java.nio.file.Files.writeString(dir.resolve("zz-broken.csv"), "source,target\na,b\n");
        assertThatThrownBy(() -> loader.load(dir)).hasMessageStartingWith("PHR-TERM-0001: zz-broken.csv");
    }

    private static <T extends IBaseResource> IFhirResourceDao<T> dao(Class<T> type) {
        return spring.getBean(DaoRegistry.class).getResourceDao(type);
    }

    /** The patient's blocks in the anchoring outbox (the audit sealer adds audit-chain blocks at any time: not counted). */
    private static long outboxRowsOf(String patientId) {
        String pseudonym = mpi().pseudonymOfPatient(patientId).orElseThrow();
        try (java.sql.Connection c = spring.getBean(javax.sql.DataSource.class).getConnection();
             java.sql.PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM ledger_outbox WHERE pseudonym = ?")) {
            s.setString(1, pseudonym);
            try (java.sql.ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Block> chainOf(String patientId) {
        String pseudonym = mpi().findByPatientId(patientId).orElseThrow().pseudonym();
        return spring.getBean(JdbcChainStore.class).chain(pseudonym, 0, 1000);
    }

    private static ChainVerifier verifier() {
        InstitutionKeys keys = spring.getBean(InstitutionKeys.class);
        return new ChainVerifier((keyId, hash, signature) -> keys.published().stream()
                .filter(k -> k.keyId().equals(keyId)).findFirst()
                .map(k -> {
                    try {
                        return EcdsaP256.verify(EcdsaP256.publicKey(k.publicKey()), hash, signature);
                    } catch (java.security.GeneralSecurityException e) {
                        return false;
                    }
                }).orElse(false));
    }

    private static Observation temperatureOf(String patientReference) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.getCode().setText("body temperature");
        o.setSubject(new Reference(patientReference));
        return o;
    }

    @Test
    void everyWriteInAPatientCompartmentAppendsASignedBlockWithTheContentHash() {
        String patientId = patients().create(patientWithNationalId(UUID.randomUUID().toString()), new SystemRequestDetails())
                .getId().getIdPart();
        IFhirResourceDao<Observation> observations = spring.getBean(DaoRegistry.class).getResourceDao(Observation.class);
        var observationId = observations.create(temperatureOf("Patient/" + patientId), new SystemRequestDetails()).getId();

        List<Block> chain = chainOf(patientId);
        assertThat(chain).hasSize(2);
        assertThat(chain.get(0).entries()).singleElement().satisfies(e -> {
            assertThat(e.resourceType()).isEqualTo("Patient");
            assertThat(e.operation()).isEqualTo(Operation.CREATE);
        });
        Entry entry = chain.get(1).entries().get(0);
        assertThat(entry.resourceType()).isEqualTo("Observation");
        assertThat(entry.versionId()).isEqualTo("1");
        Observation stored = observations.read(observationId.toUnqualifiedVersionless(), new SystemRequestDetails());
        assertThat(entry.contentHash()).isEqualTo(ContentHash.of(FhirContext.forR4Cached().newJsonParser().encodeResourceToString(stored)));
        assertThat(chain.get(1).authorKeyId()).startsWith("st-mary-");
        assertThat(verifier().verify(chain).problems()).isEmpty();
    }

    @Test
    void aWriteWithALongRequestIdOrSourceVerifiesWhenReadBack() {
        String patientId = patients().create(patientWithNationalId(UUID.randomUUID().toString()), new SystemRequestDetails())
                .getId().getIdPart();
        IFhirResourceDao<Observation> observations = spring.getBean(DaoRegistry.class).getResourceDao(Observation.class);
        // a client's X-Request-ID of 45 characters: HAPI keeps 16 of them in the database, the resource in hand all 45
        SystemRequestDetails longRequestId = new SystemRequestDetails();
        longRequestId.setRequestId("rel-kill-0f7c2a9e-5d41-4b8e-9c3a-7e2d1f6b8a90");
        String first = observations.create(temperatureOf("Patient/" + patientId), longRequestId).getId().getIdPart();
        Observation withSource = temperatureOf("Patient/" + patientId);
        withSource.getMeta().setSource("http://lab.example.org/" + "a".repeat(800) + "#" + "b".repeat(30)); // URI cut to 768
        String second = observations.create(withSource, new SystemRequestDetails()).getId().getIdPart();

        Observation read = observations.read(new IdType("Observation", first), new SystemRequestDetails());
        assertThat(read.getMeta().getSource()).as("what HAPI keeps").isEqualTo("#rel-kill-0f7c2a9");
        String pseudonym = mpi().findByPatientId(patientId).orElseThrow().pseudonym();
        LedgerVerifier.Report report = spring.getBean(LedgerVerifier.class).verify(pseudonym);
        assertThat(report.tamperedResources()).as("Observation/" + first + ", Observation/" + second).isEmpty();
        assertThat(report.valid()).isTrue();
    }

    @Test
    void verificationFindsAResourceChangedDirectlyInTheDatabase() throws Exception {
        String patientId = patients().create(patientWithNationalId(UUID.randomUUID().toString()), new SystemRequestDetails())
                .getId().getIdPart();
        IFhirResourceDao<Observation> observations = spring.getBean(DaoRegistry.class).getResourceDao(Observation.class);
        String observationId = observations.create(temperatureOf("Patient/" + patientId), new SystemRequestDetails()).getId().getIdPart();
        String pseudonym = mpi().findByPatientId(patientId).orElseThrow().pseudonym();
        LedgerVerifier verifier = spring.getBean(LedgerVerifier.class);
        assertThat(verifier.verify(pseudonym).valid()).isTrue();

        Observation forged = temperatureOf("Patient/" + patientId);
        forged.setId(observationId);
        forged.setStatus(Observation.ObservationStatus.ENTEREDINERROR);
        try (java.sql.Connection c = spring.getBean(javax.sql.DataSource.class).getConnection();
             java.sql.PreparedStatement s = c.prepareStatement("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ?, RES_TEXT = NULL, "
                     + "RES_ENCODING = 'JSON' WHERE RES_VER = 1 AND RES_ID = (SELECT RES_ID FROM HFJ_RESOURCE "
                     + "WHERE RES_TYPE = 'Observation' AND FHIR_ID = ?)")) {
            s.setString(1, FhirContext.forR4Cached().newJsonParser().encodeResourceToString(forged));
            s.setString(2, observationId);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }

        LedgerVerifier.Report report = verifier.verify(pseudonym);
        assertThat(report.valid()).isFalse();
        assertThat(report.chainProblems()).isEmpty();
        assertThat(report.tamperedResources()).containsExactly("Observation/" + observationId + ": content does not match its chain entry");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aTransactionBundleAppendsOneBlockPerPatient() {
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        String patientUrl = "urn:uuid:" + UUID.randomUUID();
        tx.addEntry().setFullUrl(patientUrl).setResource(patientWithNationalId(UUID.randomUUID().toString()))
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        for (int i = 0; i < 2; i++) {
            tx.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(temperatureOf(patientUrl))
                    .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
        }
        Bundle response = spring.getBean(IFhirSystemDao.class).transaction(new SystemRequestDetails(), tx) instanceof Bundle b ? b : null;
        String patientId = new org.hl7.fhir.r4.model.IdType(response.getEntry().get(0).getResponse().getLocation()).getIdPart();

        List<Block> chain = chainOf(patientId);
        assertThat(chain).hasSize(1);
        assertThat(chain.get(0).entries()).extracting(Entry::resourceType).containsExactlyInAnyOrder("Patient", "Observation", "Observation");
        assertThat(verifier().verify(chain).valid()).isTrue();
    }

    @Test
    void aRolledBackWriteLeavesNoBlock() {
        String patientId = patients().create(patientWithNationalId(UUID.randomUUID().toString()), new SystemRequestDetails())
                .getId().getIdPart();
        long pending = outboxRowsOf(patientId);
        Patient p = patients().read(new org.hl7.fhir.r4.model.IdType("Patient", patientId), new SystemRequestDetails());
        p.getNameFirstRep().setFamily("Rollback");
        IInterceptorService interceptors = spring.getBean(IInterceptorService.class);
        FailLateOnUpdate failLate = new FailLateOnUpdate();
        interceptors.registerInterceptor(failLate);
        try {
            assertThatThrownBy(() -> patients().update(p, new SystemRequestDetails())).hasMessageContaining("late failure");
        } finally {
            interceptors.unregisterInterceptor(failLate);
        }
        assertThat(chainOf(patientId)).hasSize(1);
        assertThat(outboxRowsOf(patientId)).as("no block waits for an anchor").isEqualTo(pending);
        assertThat(spring.getBean(AuditLog.class).aboutPatients(Set.of(patientId), null, null, null, null, 100))
                .as("the rolled back update's AuditEvent rolled back with it").extracting(AuditLog.Stored::kind).containsExactly("create");
    }

    @Test
    void everyWriteGetsOneAuditEventInItsTransactionAndTheSealerChainsThemOnTheAuditChain() {
        AuditLog audit = spring.getBean(AuditLog.class);
        Caller doctor = person("kc-audit-dr", Set.of(PhrRole.PRACTITIONER), Set.of("st-mary"));
        SystemRequestDetails asDoctor = new SystemRequestDetails();
        CallerContext.setCaller(asDoctor, doctor);
        String patientId = patients().create(patientWithNationalId(UUID.randomUUID().toString()), asDoctor).getId().getIdPart();
        SystemRequestDetails second = new SystemRequestDetails();
        CallerContext.setCaller(second, doctor);
        String observationId = dao(Observation.class).create(temperatureOf("Patient/" + patientId), second).getId().getIdPart();

        List<AuditLog.Stored> events = audit.aboutPatients(Set.of(patientId), null, null, null, null, 100);
        assertThat(events).extracting(AuditLog.Stored::kind).containsExactly("create", "create");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.actor()).isEqualTo("kc-audit-dr");
            assertThat(e.outcome()).isZero();
        });
        org.hl7.fhir.r4.model.AuditEvent newest = FhirContext.forR4Cached().newJsonParser()
                .parseResource(org.hl7.fhir.r4.model.AuditEvent.class, events.get(0).json());
        assertThat(newest.getAction()).isEqualTo(org.hl7.fhir.r4.model.AuditEvent.AuditEventAction.C);
        assertThat(newest.getEntity()).extracting(e -> e.getWhat().getReference())
                .contains("Patient/" + patientId, "Observation/" + observationId + "/_history/1");
        assertThat(newest.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("kc-audit-dr");
        assertThat(audit.aboutPatients(Set.of(patientId), null, null, "someone-else", null, 100)).isEmpty();

        spring.getBean(AuditSealer.class).sealOnce();
        JdbcChainStore chains = spring.getBean(JdbcChainStore.class);
        String auditChain = AuditLog.chainPseudonym("st-mary");
        for (AuditLog.Stored e : audit.aboutPatients(Set.of(patientId), null, null, null, null, 100)) {
            assertThat(e.sealedHeight()).as("sealed").isNotNull();
            Block block = chains.chain(auditChain, e.sealedHeight(), 1).get(0);
            assertThat(block.entries()).anySatisfy(entry -> {
                assertThat(entry.id()).isEqualTo(e.eventId());
                assertThat(entry.contentHash()).isEqualTo(ContentHash.of(e.json()));
            });
        }
        assertThat(verifier().verify(chains.chain(auditChain, 0, 100_000)).problems()).isEmpty();
    }

    /** Fails every update of a Patient called "Rollback" in the transaction, after the ledger hook queued its block. */
    @Interceptor
    public static class FailLateOnUpdate {
        @Hook(value = Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED, order = 1000)
        public void updated(IBaseResource previous, IBaseResource resource) {
            if (resource instanceof Patient p && "Rollback".equals(p.getNameFirstRep().getFamily())) {
                throw new InternalErrorException("late failure");
            }
        }
    }

    @Test
    void settingsComeFromTheEnvironment() {
        PlatformSettings s = spring.getBean(PlatformSettings.class);
        assertThat(s.issuer()).isEqualTo("http://127.0.0.1:1/realms/phr");
        assertThat(s.audience()).isEqualTo("phr-backend");
    }
}
