package org.phrcloud.core.error;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Whether a failure comes from the database being out of reach (stopped, restarting, the network to it down), as
 * opposed to a failure of the request itself: then nothing of the request was committed (its transaction could not
 * begin or was rolled back with the connection), and the same request may simply be sent again later. FHIR answers it
 * with 503 and an OperationOutcome, the JSON APIs with 503 PHR-API-0503, both with {@code Retry-After}.
 *
 * <p>Recognised anywhere in the cause chain: JDBC's connection exceptions ({@link SQLTransientConnectionException},
 * {@link SQLNonTransientConnectionException}) and SQLSTATE class {@code 08} "connection exception" (ISO/IEC 9075-2
 * SQLSTATE table; PostgreSQL's "connection refused" is {@code 08001}, a dropped connection {@code 08006}), and
 * PostgreSQL's {@code 57P01}-{@code 57P03} (server shut down by an administrator, crashed, not yet accepting
 * connections; PostgreSQL documentation, appendix A "Error Codes").
 */
public final class DatabaseUnavailable {
    /** Seconds a client should wait before sending the request again (RFC 9110 section 10.2.3, {@code Retry-After}). */
    public static final int RETRY_AFTER_SECONDS = 5;

    private DatabaseUnavailable() {
    }

    /** @return true if {@code failure} or one of its causes says the database cannot be reached */
    public static boolean causedBy(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && unreachable(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static boolean unreachable(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.equals("57P01") || sqlState.equals("57P02")
                || sqlState.equals("57P03"));
    }
}
