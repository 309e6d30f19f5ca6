package org.phrcloud.database;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Serializes schema changes across replicas that start together on one PostgreSQL (a Kubernetes Deployment starts
 * them at once): while one replica creates or upgrades the schema (HAPI FHIR's tables through Hibernate, every
 * module's Flyway migrations), the others wait at their start, so no two run DDL side by side. A PostgreSQL
 * session-level advisory lock ({@code pg_advisory_lock}, PostgreSQL documentation 9.27.10 "Advisory Lock Functions")
 * held on one connection of the pool until {@link #close()} unlocks it and gives the connection back; a replica that
 * dies while holding it releases it with its connection. Other databases (H2: one server) need no lock.
 */
public final class MigrationLock implements AutoCloseable {
    /** The advisory lock's key: "PHRSCHEM" as a 64-bit number. */
    static final long KEY = 0x5048525343484d4cL;

    private final Connection connection;

    private MigrationLock(Connection connection) {
        this.connection = connection;
    }

    /**
     * Waits for the lock and holds it until {@link #close()}.
     *
     * @param jdbcUrl the database's JDBC URL; for anything but {@code jdbc:postgresql:} nothing is locked
     * @throws SQLException when PostgreSQL cannot be reached
     */
    public static MigrationLock acquire(DataSource dataSource, String jdbcUrl) throws SQLException {
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            return new MigrationLock(null);
        }
        Connection c = dataSource.getConnection();
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
            s.setLong(1, KEY);
            s.execute();
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return new MigrationLock(c);
    }

    /** @return whether this holds a lock (false for databases that need none) */
    public boolean held() {
        return connection != null;
    }

    /** Releases the lock and gives its connection back to the pool. Idempotent. */
    @Override
    public void close() throws SQLException {
        if (connection == null || connection.isClosed()) {
            return;
        }
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            s.setLong(1, KEY);
            s.execute();
        } finally {
            connection.close();
        }
    }
}
