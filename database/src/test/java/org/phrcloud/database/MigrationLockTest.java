package org.phrcloud.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The migration lock on a real PostgreSQL (embedded binaries). */
class MigrationLockTest {
    @Test
    void aSecondReplicaWaitsUntilTheFirstHasMigratedAndThenGoesOn() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            String url = postgres.getJdbcUrl("postgres", "postgres");
            javax.sql.DataSource pool = postgres.getPostgresDatabase();
            MigrationLock first = MigrationLock.acquire(pool, url);
            assertThat(first.held()).isTrue();
            CompletableFuture<MigrationLock> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return MigrationLock.acquire(pool, url);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThatThrownBy(() -> second.get(2, TimeUnit.SECONDS)).as("waits while the first holds it").isInstanceOf(TimeoutException.class);
            first.close();
            first.close(); // idempotent
            try (MigrationLock taken = second.get(30, TimeUnit.SECONDS)) {
                assertThat(taken.held()).isTrue();
            }
        }
    }

    @Test
    void aDatabaseOfOneServerNeedsNoLock() throws Exception {
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:mem:one");
        try (MigrationLock none = MigrationLock.acquire(h2, "jdbc:h2:mem:one")) {
            assertThat(none.held()).isFalse();
        }
    }
}
