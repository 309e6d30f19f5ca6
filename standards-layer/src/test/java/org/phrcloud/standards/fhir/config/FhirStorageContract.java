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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

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
        spring = new AnnotationConfigApplicationContext(FhirServerConfig.class);
    }

    @AfterAll
    static void close() {
        if (spring != null) {
            spring.close();
            spring = null;
        }
        for (String p : new String[]{"phr.db.url", "phr.db.username", "phr.db.password", "phr.oidc.issuer"}) {
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

    @Test
    void settingsComeFromTheEnvironment() {
        FhirServerSettings s = spring.getBean(FhirServerSettings.class);
        assertThat(s.issuer()).isEqualTo("http://127.0.0.1:1/realms/phr");
        assertThat(s.audience()).isEqualTo("phr-backend");
    }
}
