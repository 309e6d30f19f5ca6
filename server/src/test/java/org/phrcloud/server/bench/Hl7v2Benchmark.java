package org.phrcloud.server.bench;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.parser.PipeParser;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phrcloud.identity.institution.InstitutionKeys;
import org.phrcloud.server.PhrServerConfig;
import org.phrcloud.server.TestServerProperties;
import org.phrcloud.standards.hl7v2.Hl7v2Ingestion;
import org.phrcloud.standards.hl7v2.MllpListener;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 6's throughput: ORU^R01 messages per second with their ACK, end to end over MLLP with HAPI's client (parse,
 * map, FHIR transaction with ledger block and AuditEvent, message log, ACK), on H2 (file, durable commits) and
 * embedded PostgreSQL, from 1 and from 4 concurrent connections; then every message's DiagnosticReport is counted
 * (0 lost). Goal: at least 500 messages per second. Run with {@code -Pbenchmark}.
 */
class Hl7v2Benchmark {
    private static final int MESSAGES = 2000;

    @TempDir
    Path tmp;

    @Test
    void oruR01OverMllpOnH2() throws Exception {
        run("H2 file, durable commits", "jdbc:h2:file:" + tmp.resolve("fhir"), "sa", "");
    }

    @Test
    void oruR01OverMllpOnPostgres() throws Exception {
        try (io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start()) {
            run("PostgreSQL, embedded", postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
        }
    }

    private static String oru(String identifier, String controlId) {
        return String.join("\r",
                "MSH|^~\\&|LIS|st-mary|PHR|PHR|20260110083000||ORU^R01|" + controlId + "|P|2.5.1",
                "PID|1||" + identifier + "^^^&urn:bench:mrn&URI||Bench^Pat||19700101|F",
                "OBR|1|PL-1|FL-" + controlId + "|24323-8^Comprehensive metabolic panel^LN|||20260110080000|||||||||||||||20260110082500|||F",
                "OBX|1|NM|2339-0^Glucose^LN||105|mg/dL^mg/dL^UCUM|70-99|H|||F",
                "OBX|2|NM|2823-3^Potassium^LN||4.1|mmol/L^mmol/L^UCUM|3.5-5.1|N|||F", "");
    }

    private void run(String database, String url, String username, String password) throws Exception {
        TestServerProperties.set(url, username, password);
        try (AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext(PhrServerConfig.class)) {
            List<String> identifiers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Patient p = new Patient();
                String mrn = UUID.randomUUID().toString();
                p.addIdentifier().setSystem("urn:bench:mrn").setValue(mrn);
                p.addName().setFamily("Bench" + i).addGiven("Pat");
                p.setGender(Enumerations.AdministrativeGender.FEMALE);
                spring.getBean(DaoRegistry.class).getResourceDao(Patient.class).create(p, new SystemRequestDetails());
                identifiers.add(mrn);
            }
            InstitutionKeys keys = spring.getBean(InstitutionKeys.class);
            Hl7v2Ingestion ingestion = spring.getBean(Hl7v2Ingestion.class);
            try (MllpListener mllp = new MllpListener(ingestion, "127.0.0.1", 0, institution -> keys.current(institution).isPresent())) {
                send(mllp.port(), identifiers, "warm-up", 200, 1);
                for (int connections : new int[]{1, 4}) {
                    long start = System.nanoTime();
                    int accepted = send(mllp.port(), identifiers, "c" + connections, MESSAGES, connections);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf("BENCH ORU^R01 over MLLP with ACK (%s, %d connection(s)): %d messages in %.1f s = %.0f messages/s, "
                            + "%d AA; goal >= 500/s%n", database, connections, MESSAGES, seconds, MESSAGES / seconds, accepted);
                }
            }
            int stored = spring.getBean(DaoRegistry.class).getResourceDao(DiagnosticReport.class)
                    .search(SearchParameterMap.newSynchronous().setLoadSynchronousUpTo(100_000), new SystemRequestDetails()).size();
            int expected = 200 + 2 * MESSAGES;
            System.out.printf("BENCH %s: %d DiagnosticReports stored for %d messages acknowledged AA: %d lost%n", database, stored, expected,
                    expected - stored);
        } finally {
            TestServerProperties.clear();
        }
    }

    /** Sends {@code count} messages over {@code connections} MLLP connections; returns how many were acknowledged AA. */
    private static int send(int port, List<String> identifiers, String run, int count, int connections) throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int lane = c;
                done.add(pool.submit(() -> {
                    HapiContext context = Hl7v2Ingestion.newContext();
                    PipeParser parser = context.getPipeParser();
                    Connection connection = context.newClient("127.0.0.1", port, false);
                    try {
                        for (int i = lane; i < count; i += connections) {
                            String ack = parser.encode(connection.getInitiator().sendAndReceive(
                                    parser.parse(oru(identifiers.get(i % identifiers.size()), run + "-" + i))));
                            if (ack.contains("MSA|AA|")) {
                                accepted.incrementAndGet();
                            }
                        }
                    } finally {
                        connection.close();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return accepted.get();
    }
}
