package org.phrcloud.database;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The one transaction rule of the platform's JDBC code: a connection that is already in a transaction
 * (autocommit off, as a Spring {@code TransactionAwareDataSourceProxy} gives inside HAPI FHIR's transaction) is
 * joined and left to its owner; otherwise the work runs in a transaction of its own, committed or rolled back here.
 */
public final class JdbcTransactions {
    private JdbcTransactions() {
    }

    /** Work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** @throws SQLException from the work or the connection, after rolling back a transaction of its own */
    public static <T> T inTransaction(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean own = c.getAutoCommit();
            if (own) {
                c.setAutoCommit(false);
            }
            try {
                T result = work.run(c);
                if (own) {
                    c.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                if (own) {
                    c.rollback();
                }
                throw e;
            } finally {
                if (own) {
                    c.setAutoCommit(true);
                }
            }
        }
    }
}
