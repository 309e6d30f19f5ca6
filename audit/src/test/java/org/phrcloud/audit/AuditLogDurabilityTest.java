package org.phrcloud.audit;

import ca.uhn.fhir.context.FhirContext;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Appends outside a database transaction, as for the AuditEvent of a read (which {@code AuditRequestInterceptor} writes
 * before the answer goes out): every append returns only once its row is committed, what several threads append at once
 * is all stored, an append that cannot be written is refused, and an append that returned survives a kill -9 of the JVM
 * right after it (on an H2 file database with the platform's durable commits; with H2's default delayed commits this
 * test loses rows).
 */
class AuditLogDurabilityTest {
    private static final FhirContext FHIR = FhirContext.forR4Cached();

    @TempDir
    Path tmp;

    /** An H2 file database with durable commits, as the platform's ({@code WRITE_DELAY=0}). */
    private String url() {
        return "jdbc:h2:file:" + tmp.resolve("audit") + ";WRITE_DELAY=0";
    }

    static AuditEntry entry(String patientId) {
        String requestId = UUID.randomUUID().toString();
        return new AuditEntry(AuditEvents.build("read", 0, null, null, "127.0.0.1", "st-mary", Set.of(patientId),
                List.of("Patient/" + patientId), null, requestId, null, Instant.now()), requestId, "anonymous", "anonymous", "read", 0,
                false, Set.of(patientId));
    }

    @Test
    void concurrentAppendsAreEachCommittedWhenTheyReturn() throws Exception {
        JdbcConnectionPool pool = JdbcConnectionPool.create(url(), "sa", "");
        try {
            AuditLog.migrate(pool);
            AuditLog log = new AuditLog(pool, FHIR);
            ExecutorService threads = Executors.newFixedThreadPool(8);
            ConcurrentLinkedQueue<String> notYetVisible = new ConcurrentLinkedQueue<>();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    try (Connection other = DriverManager.getConnection(url(), "sa", "")) {
                        for (int i = 0; i < 50; i++) {
                            AuditEntry entry = entry("p" + thread);
                            log.append(entry);
                            // another connection sees the row as soon as append returned: it is committed
                            if (count(other, entry.event().getIdElement().getIdPart()) != 1) {
                                notYetVisible.add(entry.event().getIdElement().getIdPart());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            threads.shutdown();
            assertThat(notYetVisible).isEmpty();
            try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(
                    "SELECT (SELECT COUNT(*) FROM phr_audit_event), (SELECT COUNT(*) FROM phr_audit_patient)"); ResultSet r = s.executeQuery()) {
                r.next();
                assertThat(r.getLong(1)).isEqualTo(400);
                assertThat(r.getLong(2)).isEqualTo(400);
            }
            assertThat(log.unsealedCount()).isEqualTo(400);
        } finally {
            pool.dispose();
        }
    }

    @Test
    void anAppendThatCannotBeWrittenIsRefused() throws Exception {
        JdbcConnectionPool pool = JdbcConnectionPool.create(url(), "sa", "");
        try {
            AuditLog.migrate(pool);
            AuditLog log = new AuditLog(pool, FHIR);
            log.append(entry("p1"));
            try (Connection c = pool.getConnection()) {
                c.createStatement().execute("DROP TABLE phr_audit_patient");
            }
            assertThatThrownBy(() -> log.append(entry("p2"))).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("PHR-AUDIT-0901");
        } finally {
            pool.dispose();
        }
    }

    @Test
    void everyAppendThatReturnedSurvivesAKillOfTheJvm() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), AppendUntilKilled.class.getName(), url())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> answered = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (answered.size() < 300 && (line = out.readLine()) != null) {
                answered.add(line);
            }
            // SIGKILL while the child's four threads are still appending: no shutdown hook, no close of the database
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(answered).hasSize(300);
        try (Connection c = DriverManager.getConnection(url(), "sa", "")) {
            List<String> lost = answered.stream().filter(id -> {
                try {
                    return count(c, id) != 1;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
            assertThat(lost).isEmpty();
        }
    }

    private static int count(Connection c, String eventId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM phr_audit_event WHERE event_id = ?")) {
            s.setString(1, eventId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    /** The child JVM: four threads append without end, each printing an event id once its append returned. */
    public static final class AppendUntilKilled {
        public static void main(String[] args) throws Exception {
            JdbcConnectionPool pool = JdbcConnectionPool.create(args[0], "sa", "");
            AuditLog.migrate(pool);
            AuditLog log = new AuditLog(pool, FHIR);
            for (int t = 0; t < 4; t++) {
                int thread = t;
                new Thread(() -> {
                    while (true) {
                        AuditEntry entry = entry("p" + thread);
                        log.append(entry);
                        synchronized (System.out) {
                            System.out.println(entry.event().getIdElement().getIdPart());
                            System.out.flush();
                        }
                    }
                }).start();
            }
        }
    }
}
