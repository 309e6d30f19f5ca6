package org.phrcloud.standards.fhir.config;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boots the real HAPI FHIR JPA configuration on an in-memory H2 database and stores a Patient through
 * the DAO layer. Catches wiring mistakes in seconds; the server over HTTP is tested in Payara (ear module).
 */
class FhirServerConfigTest {
    private static AnnotationConfigApplicationContext spring;

    @BeforeAll
    static void boot() {
        System.setProperty("phr.db.url", "jdbc:h2:mem:fhir-config-test;DB_CLOSE_DELAY=-1");
        System.setProperty("phr.oidc.issuer", "http://127.0.0.1:1/realms/phr");
        spring = new AnnotationConfigApplicationContext(FhirServerConfig.class);
    }

    @AfterAll
    static void close() {
        spring.close();
        System.clearProperty("phr.db.url");
        System.clearProperty("phr.oidc.issuer");
    }

    @Test
    void storesAndReadsAPatient() {
        IFhirResourceDao<Patient> patients = spring.getBean(DaoRegistry.class).getResourceDao(Patient.class);
        Patient p = new Patient();
        p.addName().setFamily("Testperson").addGiven("Ada");
        p.setGender(Enumerations.AdministrativeGender.FEMALE);
        var id = patients.create(p, new SystemRequestDetails()).getId().toUnqualifiedVersionless();

        Patient read = patients.read(id, new SystemRequestDetails());
        assertThat(read.getNameFirstRep().getFamily()).isEqualTo("Testperson");
        assertThat(read.getMeta().getVersionId()).isEqualTo("1");
    }

    @Test
    void settingsComeFromTheEnvironment() {
        FhirServerSettings s = spring.getBean(FhirServerSettings.class);
        assertThat(s.isH2()).isTrue();
        assertThat(s.issuer()).isEqualTo("http://127.0.0.1:1/realms/phr");
        assertThat(s.audience()).isEqualTo("phr-backend");
    }
}
