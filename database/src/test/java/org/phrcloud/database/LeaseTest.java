package org.phrcloud.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The lease on a real PostgreSQL (embedded binaries) and on H2. */
class LeaseTest {
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T10:00:00Z"));

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static DataSource freshPostgres() throws Exception {
        DataSource ds = postgres.getPostgresDatabase();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS phr_lease");
            s.execute("DROP TABLE IF EXISTS phr_lease_schema_history");
        }
        Lease.migrate(ds);
        return ds;
    }

    private static DataSource freshH2(String name) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
        Lease.migrate(ds);
        return ds;
    }

    @Test
    void oneHolderAtATimeAndASurvivorTakesOverOnceTheLeaseRunsOut() throws Exception {
        for (DataSource ds : List.of(freshPostgres(), freshH2("takeover"))) {
            TestClock clock = new TestClock();
            Lease a = new Lease(ds, "anchoring", "replica-a", Duration.ofSeconds(30), clock);
            Lease b = new Lease(ds, "anchoring", "replica-b", Duration.ofSeconds(30), clock);

            assertThat(a.acquire()).isTrue();
            assertThat(b.acquire()).isFalse();
            clock.advance(Duration.ofSeconds(20));
            assertThat(a.acquire()).as("renewed by its holder").isTrue();
            clock.advance(Duration.ofSeconds(20));
            assertThat(b.acquire()).as("40 s after the first take, 20 s after the renewal").isFalse();
            // replica a dies: nobody renews; 30 s after its last renewal the lease is free
            clock.advance(Duration.ofSeconds(11));
            assertThat(b.acquire()).isTrue();
            assertThat(b.held()).isEqualTo(new Lease.Held("replica-b", Instant.parse("2026-12-07T10:01:21Z")));
            assertThat(a.acquire()).as("the old holder comes back and finds it taken").isFalse();
        }
    }

    @Test
    void aHolderThatPausedPastItsLeaseCannotRecordAnything() throws Exception {
        DataSource ds = freshPostgres();
        TestClock clock = new TestClock();
        Lease a = new Lease(ds, "anchoring", "replica-a", Duration.ofSeconds(30), clock);
        Lease b = new Lease(ds, "anchoring", "replica-b", Duration.ofSeconds(30), clock);
        assertThat(a.acquire()).isTrue();
        assertThat(JdbcTransactions.inTransaction(ds, a::renew)).isTrue();
        clock.advance(Duration.ofSeconds(31)); // a pauses (a long GC, a frozen VM) past its lease
        assertThat(JdbcTransactions.inTransaction(ds, a::renew)).as("expired: fenced off even before anyone took over").isFalse();
        assertThat(b.acquire()).isTrue();
        assertThat(JdbcTransactions.inTransaction(ds, a::renew)).as("taken by b").isFalse();
        assertThat(JdbcTransactions.inTransaction(ds, b::renew)).isTrue();
    }

    @Test
    void replicasRacingForAFreeLeaseNeverBothHoldIt() throws Exception {
        DataSource ds = freshPostgres();
        Clock clock = Clock.systemUTC();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 50; round++) {
                String name = "race-" + round;
                List<Callable<Boolean>> racers = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Lease lease = new Lease(ds, name, "replica-" + i, Duration.ofSeconds(30), clock);
                    racers.add(lease::acquire);
                }
                int winners = 0;
                for (Future<Boolean> f : pool.invokeAll(racers)) {
                    winners += f.get() ? 1 : 0;
                }
                assertThat(winners).as("holders of " + name).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
