package org.phrcloud.server.bench;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phrcloud.ledger.store.JdbcChainStore;
import org.phrcloud.server.PhrServerConfig;
import org.phrcloud.server.TestServerProperties;
import org.phrcloud.standards.fhir.ledger.LedgerInterceptor;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Issue 4's cost of the ledger on the FHIR write path, printed (run with {@code -Pbenchmark}): the same Observation
 * create through HAPI's DAO (the real {@link PhrServerConfig} on an H2 file database with durable commits), with
 * the ledger hook ({@link LedgerInterceptor}: chain lookup, RFC 8785 content hash, signed block, outbox row) and
 * with the hook unregistered, in alternating rounds of the same run. Goal: at most 1.15 times.
 */
class LedgerCostBenchmark {
    @TempDir
    Path tmp;

    @Test
    void fhirCreateWithAndWithoutTheLedgerOnH2() throws Exception {
        run("H2 file, durable commits", "jdbc:h2:file:" + tmp.resolve("fhir"), "sa", "");
    }

    @Test
    void fhirCreateWithAndWithoutTheLedgerOnPostgres() throws Exception {
        try (io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start()) {
            run("PostgreSQL, embedded", postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
        }
    }

    private void run(String database, String url, String username, String password) throws Exception {
        TestServerProperties.set(url, username, password);
        try (AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext(PhrServerConfig.class)) {
            IFhirResourceDao<Patient> patients = spring.getBean(DaoRegistry.class).getResourceDao(Patient.class);
            IFhirResourceDao<Observation> observations = spring.getBean(DaoRegistry.class).getResourceDao(Observation.class);
            IInterceptorService interceptors = spring.getBean(IInterceptorService.class);
            LedgerInterceptor ledger = spring.getBean(LedgerInterceptor.class);
            JdbcChainStore chains = spring.getBean(JdbcChainStore.class);

            List<String> patientIds = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Patient p = new Patient();
                p.addIdentifier().setSystem("urn:bench:mrn").setValue(UUID.randomUUID().toString());
                p.addName().setFamily("Bench" + i).addGiven("Pat");
                p.setGender(Enumerations.AdministrativeGender.FEMALE);
                patientIds.add(patients.create(p, new SystemRequestDetails()).getId().getIdPart());
            }
            List<Long> with = new ArrayList<>();
            List<Long> without = new ArrayList<>();
            int rounds = 12;
            int perRound = 100;
            for (int round = 0; round < rounds; round++) {
                boolean warmUp = round < 2;
                for (boolean ledgerOn : new boolean[]{round % 2 == 0, round % 2 != 0}) {
                    if (!ledgerOn) {
                        interceptors.unregisterInterceptor(ledger);
                    }
                    try {
                        for (int i = 0; i < perRound; i++) {
                            Observation o = observation(patientIds.get(i % patientIds.size()), i);
                            long start = System.nanoTime();
                            observations.create(o, new SystemRequestDetails());
                            long took = System.nanoTime() - start;
                            if (!warmUp) {
                                (ledgerOn ? with : without).add(took);
                            }
                        }
                    } finally {
                        if (!ledgerOn) {
                            interceptors.registerInterceptor(ledger);
                        }
                    }
                }
            }
            double withMs = median(with) / 1e6;
            double withoutMs = median(without) / 1e6;
            System.out.printf("BENCH FHIR Observation create (HAPI DAO, %s, %d each): with the ledger %.2f ms "
                            + "(mean %.2f), without %.2f ms (mean %.2f): %.2fx (median), %.2fx (mean); goal <= 1.15x%n",
                    database, with.size(), withMs, mean(with) / 1e6, withoutMs, mean(without) / 1e6, withMs / withoutMs, mean(with) / mean(without));
            System.out.printf("BENCH blocks written with the ledger on: %d chains, %d blocks waiting for an anchor%n",
                    patientIds.size(), chains.pendingAnchors());
            breakdown(spring, patientIds.get(0));
        } finally {
            TestServerProperties.clear();
        }
    }

    /** What the ledger hook does per write, each step on its own (median of 1,000), to explain the figure above. */
    private static void breakdown(AnnotationConfigApplicationContext spring, String patientId) {
        ca.uhn.fhir.context.FhirContext fhir = spring.getBean(ca.uhn.fhir.context.FhirContext.class);
        org.phrcloud.identity.mpi.MasterPatientIndex mpi = spring.getBean(org.phrcloud.identity.mpi.MasterPatientIndex.class);
        org.phrcloud.core.ledger.BlockAuthor author = spring.getBean(org.phrcloud.core.ledger.BlockAuthor.class);
        JdbcChainStore chains = spring.getBean(JdbcChainStore.class);
        Observation o = observation(patientId, 1);
        o.setId("Observation/1/_history/1");
        String pseudonym = mpi.pseudonymOfPatient(patientId).orElseThrow();
        String keyId = author.keyId();
        java.util.Map<String, Runnable> steps = new java.util.LinkedHashMap<>();
        steps.put("compartment owners (HAPI terser)", () -> fhir.newTerser().getCompartmentOwnersForResource("Patient", o, java.util.Set.of()));
        steps.put("JSON encode + RFC 8785 content hash", () -> org.phrcloud.ledger.chain.ContentHash.of(fhir.newJsonParser().encodeResourceToString(o)));
        steps.put("pseudonym of the Patient (SQL)", () -> mpi.pseudonymOfPatient(patientId));
        steps.put("current key id (SQL)", author::keyId);
        steps.put("ECDSA P-256 signature", () -> author.signer().sign(keyId, new byte[32]));
        steps.put("append: lock head, block, entry, outbox (own transaction)", () -> chains.append(pseudonym, keyId, "bench",
                List.of(new org.phrcloud.ledger.chain.Entry("Observation", "x", "1", org.phrcloud.ledger.chain.Operation.CREATE,
                        new byte[32])), author.signer()));
        for (var step : steps.entrySet()) {
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < 1200; i++) {
                long start = System.nanoTime();
                step.getValue().run();
                if (i >= 200) {
                    times.add(System.nanoTime() - start);
                }
            }
            System.out.printf("BENCH   ledger step: %-58s %.3f ms%n", step.getKey(), median(times) / 1e6);
        }
    }

    private static Observation observation(String patientId, int i) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.getCode().addCoding().setSystem("http://loinc.org").setCode("2339-0").setDisplay("Glucose");
        o.setSubject(new Reference("Patient/" + patientId));
        o.setValue(new Quantity().setValue(4.5 + (i % 30) / 10.0).setUnit("mmol/L").setSystem("http://unitsofmeasure.org").setCode("mmol/L"));
        return o;
    }

    private static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static double mean(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).average().orElse(0);
    }
}
