package org.phrcloud.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;

/** {@link FhirStorageContract} on a real PostgreSQL 17 server (binaries from Maven Central), the production database. */
class PostgresStorageTest extends FhirStorageContract {
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        boot(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
    }

    @AfterAll
    static void stop() throws IOException {
        close();
        postgres.close();
    }
}
