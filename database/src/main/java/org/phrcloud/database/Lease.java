package org.phrcloud.database;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A lease on a background task that must run in one replica at a time though every replica schedules it (anchoring:
 * one sender, one nonce sequence; audit sealing: one audit chain). The lease is a row of {@code phr_lease} (schema
 * {@code lease}): its holder and when it runs out. A replica runs the task only while it holds the lease; it renews
 * the lease at each run; another replica takes it over once it has run out, so a replica that dies (even by
 * {@code kill -9}) is replaced within {@code ttl} plus one scheduling interval. Works on PostgreSQL and H2.
 *
 * <p>Fencing: {@link #renew(Connection)} inside the transaction that records the task's effect (e.g. the anchor and
 * its signed transaction) locks the lease row until that transaction ends. A holder that paused past its lease (and
 * was replaced) finds its renewal refused there and records nothing, and two records never interleave.
 *
 * <p>Expiry times come from each replica's clock: replicas must keep their clocks within a fraction of {@code ttl}
 * (NTP, as every Kubernetes node does).
 */
public final class Lease {
    private final DataSource dataSource;
    private final String name;
    private final String holder;
    private final Duration ttl;
    private final Clock clock;

    /**
     * @param name   the task, e.g. {@code anchoring}; at most 64 characters
     * @param holder this replica, unique among replicas and stable across its restarts ({@link #replicaId})
     * @param ttl    how long a lease lasts unrenewed: longer than the longest pause between renewals of a running task
     */
    public Lease(DataSource dataSource, String name, String holder, Duration ttl, Clock clock) {
        if (name == null || name.isEmpty() || name.length() > 64) {
            throw new IllegalArgumentException("a lease name has 1 to 64 characters");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a lease lasts a positive time");
        }
        this.dataSource = dataSource;
        this.name = name;
        this.holder = holder;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Creates or upgrades the {@code phr_lease} table (Flyway, schema {@code lease}); safe at every start. */
    public static void migrate(DataSource dataSource) {
        SchemaMigrations.migrate(dataSource, "lease", Lease.class);
    }

    /**
     * @param instance what tells this server from others on the same host, and stays the same across its restarts (the
     *                 Payara instance root)
     * @return this replica's holder id: the host name (the pod name in Kubernetes) and {@code instance}; a server that
     *         restarts under the same id takes its own lease back at once instead of waiting for it to run out
     */
    public static String replicaId(String instance) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
        String id = host + ":" + (instance == null ? "" : instance);
        return id.length() <= 200 ? id : id.substring(id.length() - 200);
    }

    /**
     * Takes the lease when nobody holds it or it has run out, or renews it when this replica holds it; in a
     * transaction of its own (or the caller's, {@link JdbcTransactions}).
     *
     * @return whether this replica holds the lease now (for {@code ttl} from now)
     * @throws IllegalStateException PHR-LEDGER-0508 when the database fails
     */
    public boolean acquire() {
        try {
            return JdbcTransactions.inTransaction(dataSource, c -> {
                if (take(c)) {
                    return true;
                }
                try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM phr_lease WHERE name = ?")) {
                    s.setString(1, name);
                    try (ResultSet r = s.executeQuery()) {
                        if (r.next()) {
                            return false;
                        }
                    }
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO phr_lease (name, holder, expires_at) VALUES (?, ?, ?)")) {
                    s.setString(1, name);
                    s.setString(2, holder);
                    s.setTimestamp(3, Timestamp.from(clock.instant().plus(ttl)));
                    s.executeUpdate();
                    return true;
                }
            });
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) { // another replica inserted it first (rolled back)
                return false;
            }
            throw new IllegalStateException("PHR-LEDGER-0508: the lease " + name + " cannot be read (SQL state " + e.getSQLState() + ")", e);
        }
    }

    private boolean take(Connection c) throws SQLException {
        Instant now = clock.instant();
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE phr_lease SET holder = ?, expires_at = ? WHERE name = ? AND (holder = ? OR expires_at < ?)")) {
            s.setString(1, holder);
            s.setTimestamp(2, Timestamp.from(now.plus(ttl)));
            s.setString(3, name);
            s.setString(4, holder);
            s.setTimestamp(5, Timestamp.from(now));
            return s.executeUpdate() == 1;
        }
    }

    /**
     * Renews the lease inside the caller's transaction if this replica still holds it and it has not run out, and
     * locks its row until that transaction ends (fencing: see the class comment).
     *
     * @param c a connection in the transaction that records the task's effect
     * @return false when another replica holds the lease or it ran out: record nothing then
     * @throws SQLException when the database fails
     */
    public boolean renew(Connection c) throws SQLException {
        Instant now = clock.instant();
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE phr_lease SET expires_at = ? WHERE name = ? AND holder = ? AND expires_at >= ?")) {
            s.setTimestamp(1, Timestamp.from(now.plus(ttl)));
            s.setString(2, name);
            s.setString(3, holder);
            s.setTimestamp(4, Timestamp.from(now));
            return s.executeUpdate() == 1;
        }
    }

    /** @return who holds the lease now and until when, or null when nobody ever took it */
    public Held held() throws SQLException {
        return JdbcTransactions.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT holder, expires_at FROM phr_lease WHERE name = ?")) {
                s.setString(1, name);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? new Held(r.getString(1), r.getTimestamp(2).toInstant()) : null;
                }
            }
        });
    }

    /** @param holder a replica's holder id; @param expiresAt when its lease runs out unless renewed */
    public record Held(String holder, Instant expiresAt) {
    }

    public String holder() {
        return holder;
    }

    public Duration ttl() {
        return ttl;
    }
}
