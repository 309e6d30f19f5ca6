package org.phrcloud.consent.policy;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.phrcloud.consent.AccessLevel;
import org.phrcloud.consent.ConsentGrant;
import java.util.List;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.demographics.BlindIndex;
import org.phrcloud.identity.demographics.EnvelopeCipher;
import org.phrcloud.identity.demographics.MasterKeyRing;
import org.phrcloud.identity.mpi.Demographics;
import org.phrcloud.identity.mpi.Identifier;
import org.phrcloud.identity.mpi.JdbcMasterPatientIndex;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.caller.Caller;

import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Whose records a caller reaches, from the token and a real (H2) master patient index. */
class CallerScopeTest {
    private MasterPatientIndex mpi;

    @BeforeEach
    void twoInstitutionsWithOnePatientEach() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:scope-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JdbcMasterPatientIndex.migrate(ds);
        mpi = new JdbcMasterPatientIndex(ds, new EnvelopeCipher(MasterKeyRing.parse("k:" + Base64.getEncoder()
                .encodeToString(new byte[32]), "k")), new BlindIndex(new byte[32]), Clock.systemUTC());
        String a = mpi.resolveOrRegister(person("A"), "st-mary", "t").identity().pseudonym();
        String b = mpi.resolveOrRegister(person("B"), "north-clinic", "t").identity().pseudonym();
        mpi.linkPatient(a, "1", "t");
        mpi.linkPatient(b, "2", "t");
        mpi.linkLogin(a, "kc-a", "t");
    }

    private static Demographics person(String id) {
        return new Demographics(List.of(new Identifier("urn:test", id)), "X", List.of(), null, null, null);
    }

    private static Caller token(String sub, Set<PhrRole> roles, Set<String> institutions, boolean service) {
        return new Caller(sub, "u", "c", roles, "2", Instant.now().plusSeconds(60), service, institutions);
    }

    @Test
    void careGiversReachThePatientsOfTheirInstitutionsOnly() {
        CallerScope scope = CallerScope.resolve(token("kc-p", Set.of(PhrRole.PRACTITIONER), Set.of("st-mary"), false), mpi);
        assertThat(scope.kind()).isEqualTo(CallerScope.Kind.CARE_GIVER);
        assertThat(scope.patientIds()).containsExactly("1");
        assertThat(CallerScope.resolve(token("kc-p", Set.of(PhrRole.LAB), Set.of("st-mary", "north-clinic"), false), mpi)
                .patientIds()).containsExactlyInAnyOrder("1", "2");
        assertThat(CallerScope.resolve(token("kc-p", Set.of(PhrRole.PHARMACIST), Set.of(), false), mpi).patientIds()).isEmpty();
    }

    @Test
    void aPatientReachesTheirOwnLinkedRecordOnly() {
        assertThat(CallerScope.resolve(token("kc-a", Set.of(PhrRole.PATIENT), Set.of(), false), mpi).patientIds()).containsExactly("1");
        CallerScope unlinked = CallerScope.resolve(token("kc-z", Set.of(PhrRole.PATIENT), Set.of(), false), mpi);
        assertThat(unlinked.kind()).isEqualTo(CallerScope.Kind.PATIENT);
        assertThat(unlinked.patientIds()).isEmpty();
    }

    @Test
    void systemsResearchersAndAdminsAreTheirOwnKinds() {
        assertThat(CallerScope.resolve(token("s", Set.of(), Set.of("st-mary"), true), mpi).kind()).isEqualTo(CallerScope.Kind.INSTITUTION_SYSTEM);
        assertThat(CallerScope.resolve(token("r", Set.of(PhrRole.RESEARCHER), Set.of(), false), mpi).kind()).isEqualTo(CallerScope.Kind.NONE);
        assertThat(CallerScope.resolve(token("a", Set.of(PhrRole.ADMIN, PhrRole.PATIENT), Set.of(), false), mpi).kind()).isEqualTo(CallerScope.Kind.PATIENT);
        assertThat(CallerScope.resolve(null, mpi).kind()).isEqualTo(CallerScope.Kind.ANONYMOUS);
    }

    @Test
    void consentsInForceWidenCareGiversOnly() {
        ConsentGrant grant = new ConsentGrant("7", Set.of("2"), AccessLevel.FULL, Set.of("Observation"));
        CallerScope doctor = CallerScope.resolve(token("kc-p", Set.of(PhrRole.PRACTITIONER), Set.of("st-mary"), false), mpi,
                t -> List.of(grant));
        assertThat(doctor.grants()).containsExactly(grant);
        assertThat(doctor.patientIds()).as("a consent is not a care relationship").containsExactly("1");
        assertThat(CallerScope.resolve(token("kc-a", Set.of(PhrRole.PATIENT), Set.of(), false), mpi, t -> List.of(grant)).grants()).isEmpty();
        assertThat(CallerScope.resolve(token("s", Set.of(), Set.of("st-mary"), true), mpi, t -> List.of(grant)).grants()).isEmpty();
    }
}
