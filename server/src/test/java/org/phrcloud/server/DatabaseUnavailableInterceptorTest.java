package org.phrcloud.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;
import org.phrcloud.core.error.DatabaseUnavailable;
import org.springframework.transaction.CannotCreateTransactionException;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The 503 of {@code /fhir} for an unreachable database, with the failures real drivers give: PostgreSQL's JDBC driver
 * against a port where nothing listens, an H2 database closed under an open connection; and a constraint violation,
 * which is the request's own failure (no 503).
 */
class DatabaseUnavailableInterceptorTest {
    private final DatabaseUnavailableInterceptor interceptor = new DatabaseUnavailableInterceptor(FhirContext.forR4Cached());

    @Test
    void postgresqlRefusingTheConnectionIsA503WithATransientOperationOutcomeAndRetryAfter() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort(); // closed again: nothing listens there
        }
        SQLException refused = catchThrowableOfType(SQLException.class,
                () -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/phr", "phr", "secret").close());
        assertThat(refused.getSQLState()).isEqualTo("08001");
        // as Spring's transaction manager hands it on when the pool cannot open a connection
        BaseServerResponseException answer = interceptor.unavailable(null,
                new CannotCreateTransactionException("Could not open JPA EntityManager for transaction", refused));

        assertThat(answer.getStatusCode()).isEqualTo(503);
        assertThat(answer.getResponseHeaders().get("Retry-After")).containsExactly("5");
        OperationOutcome outcome = (OperationOutcome) answer.getOperationOutcome();
        assertThat(outcome.getIssueFirstRep().getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
        assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.TRANSIENT);
        assertThat(outcome.getIssueFirstRep().getDiagnostics())
                .isEqualTo("PHR-FHIR-0503: The database cannot be reached; nothing was written: send the request again shortly");
    }

    @Test
    void aDatabaseClosedUnderAnOpenConnectionIsUnavailableAConstraintViolationIsNot() throws Exception {
        String url = "jdbc:h2:mem:unavailable-" + System.nanoTime();
        try (Connection keep = DriverManager.getConnection(url); Connection other = DriverManager.getConnection(url)) {
            try (Statement s = keep.createStatement()) {
                s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
                s.execute("INSERT INTO t VALUES (1)");
            }
            SQLException duplicate = catchThrowableOfType(SQLException.class, () -> {
                try (Statement s = keep.createStatement()) {
                    s.execute("INSERT INTO t VALUES (1)");
                }
            });
            assertThat(duplicate.getSQLState()).isEqualTo("23505");
            assertThat(DatabaseUnavailable.causedBy(new RuntimeException(duplicate))).isFalse();
            assertThat(interceptor.unavailable(null, new RuntimeException(duplicate))).isNull();

            try (Statement s = other.createStatement()) {
                s.execute("SHUTDOWN");
            }
            SQLException closed = catchThrowableOfType(SQLException.class, () -> {
                try (Statement s = keep.createStatement()) {
                    s.execute("SELECT 1");
                }
            });
            assertThat(DatabaseUnavailable.causedBy(new RuntimeException("wrapped", closed))).as(closed.getSQLState()).isTrue();
        }
    }
}
