package org.phrcloud.consent.policy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.phrcloud.consent.AccessLevel;
import org.phrcloud.consent.ConsentGrant;
import java.util.List;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.caller.Caller;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Whose records a caller reaches, from the token and a real (H2) master patient index. */
class CallerScopeTest {
    private MasterPatientIndex mpi;

    @BeforeEach
    void twoInstitutionsWithOnePatientEach() {
        mpi = TwoInstitutions.masterPatientIndex();
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
