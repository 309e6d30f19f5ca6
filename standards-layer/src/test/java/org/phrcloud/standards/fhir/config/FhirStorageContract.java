package org.phrcloud.standards.fhir.config;

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
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real HAPI FHIR JPA configuration ({@link FhirServerConfig}) on a real database, through the DAO
 * layer: each subclass names the database. The HTTP layer is tested on Payara in the ear module.
 */
abstract class FhirStorageContract {
    private static AnnotationConfigApplicationContext spring;

    /** Boots the configuration on the given JDBC URL (system properties, as Payara would pass them). */
    static void boot(String jdbcUrl, String username, String password) {
        System.setProperty("phr.db.url", jdbcUrl);
        System.setProperty("phr.db.username", username);
        System.setProperty("phr.db.password", password);
        System.setProperty("phr.oidc.issuer", "http://127.0.0.1:1/realms/phr");
        System.setProperty("phr.master.keys", "test:" + Base64.getEncoder().encodeToString(new byte[32]));
        System.setProperty("phr.master.key.id", "test");
        System.setProperty("phr.institution.id", "st-mary");
        System.setProperty("phr.blind.index.key", Base64.getEncoder().encodeToString("blind-index-key-of-the-tests-32b".getBytes()));
        spring = new AnnotationConfigApplicationContext(FhirServerConfig.class);
    }

    @AfterAll
    static void close() {
        if (spring != null) {
            spring.close();
            spring = null;
        }
        for (String p : new String[]{"phr.db.url", "phr.db.username", "phr.db.password", "phr.oidc.issuer",
                "phr.master.keys", "phr.master.key.id", "phr.blind.index.key", "phr.institution.id"}) {
            System.clearProperty(p);
        }
    }

    private static IFhirResourceDao<Patient> patients() {
        return spring.getBean(DaoRegistry.class).getResourceDao(Patient.class);
    }

    private static int patientsWithMrn(String mrn) {
        return patients().search(SearchParameterMap.newSynchronous("identifier", new TokenParam("urn:test:mrn", mrn)),
                new SystemRequestDetails()).size();
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
        long pending = spring.getBean(JdbcChainStore.class).pendingAnchors();
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
        assertThat(spring.getBean(JdbcChainStore.class).pendingAnchors()).isEqualTo(pending);
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
        FhirServerSettings s = spring.getBean(FhirServerSettings.class);
        assertThat(s.issuer()).isEqualTo("http://127.0.0.1:1/realms/phr");
        assertThat(s.audience()).isEqualTo("phr-backend");
    }
}
