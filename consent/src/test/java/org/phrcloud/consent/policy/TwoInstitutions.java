package org.phrcloud.consent.policy;

import org.h2.jdbcx.JdbcDataSource;
import org.phrcloud.identity.demographics.BlindIndex;
import org.phrcloud.identity.demographics.EnvelopeCipher;
import org.phrcloud.identity.demographics.MasterKeyRing;
import org.phrcloud.identity.mpi.Demographics;
import org.phrcloud.identity.mpi.Identifier;
import org.phrcloud.identity.mpi.JdbcMasterPatientIndex;
import org.phrcloud.identity.mpi.MasterPatientIndex;

import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The policy tests' world: a real master patient index on a fresh in-memory H2 database with two people, A at st-mary
 * (FHIR Patient/1, login kc-a) and B at north-clinic (Patient/2, no login).
 */
final class TwoInstitutions {
    private TwoInstitutions() {
    }

    static MasterPatientIndex masterPatientIndex() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:policy-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JdbcMasterPatientIndex.migrate(ds);
        MasterPatientIndex mpi = new JdbcMasterPatientIndex(ds, new EnvelopeCipher(MasterKeyRing.parse("k:" + Base64.getEncoder()
                .encodeToString(new byte[32]), "k")), new BlindIndex(new byte[32]), Clock.systemUTC());
        String a = mpi.resolveOrRegister(person("A"), "st-mary", "t").identity().pseudonym();
        String b = mpi.resolveOrRegister(person("B"), "north-clinic", "t").identity().pseudonym();
        mpi.linkPatient(a, "1", "t");
        mpi.linkPatient(b, "2", "t");
        mpi.linkLogin(a, "kc-a", "t");
        return mpi;
    }

    private static Demographics person(String id) {
        return new Demographics(List.of(new Identifier("urn:test", id)), "X", List.of(), null, null, null);
    }
}
