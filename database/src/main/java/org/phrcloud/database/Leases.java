package org.phrcloud.database;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;

/**
 * This replica's leases on the platform database ({@link Lease}): the {@code phr_lease} table is made or upgraded once,
 * and every lease, and whatever else names this replica (the research jobs it runs), uses one replica id.
 */
public final class Leases {
    private final DataSource dataSource;
    private final String replica;
    private final Clock clock;

    /**
     * Migrates the {@code lease} schema ({@link Lease#migrate}).
     *
     * @param replica this replica's id ({@link Lease#replicaId}), the same across its restarts
     */
    public Leases(DataSource dataSource, String replica, Clock clock) {
        Lease.migrate(dataSource);
        this.dataSource = dataSource;
        this.replica = replica;
        this.clock = clock;
    }

    /** @return this replica's lease on the task {@code name}, lasting {@code ttl} unrenewed */
    public Lease lease(String name, Duration ttl) {
        return new Lease(dataSource, name, replica, ttl, clock);
    }

    /** @return this replica's id */
    public String replica() {
        return replica;
    }
}
