package org.phrcloud.database;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;

/**
 * The one way the platform creates and upgrades its tables: Flyway, one schema per module that owns tables
 * ({@code identity}, {@code ledger}, {@code audit}, {@code consent}, {@code hl7v2}, {@code research}), each with its
 * scripts in {@code classpath:db/<schema>} and its own history table {@code phr_<schema>_schema_history}, so that
 * they live side by side in one database (the FHIR database) and each is upgraded on its own. A database that
 * already holds tables but no history is baselined at version 0 (its scripts then all run).
 */
public final class SchemaMigrations {
    private SchemaMigrations() {
    }

    /**
     * Creates or upgrades one schema. Safe to call at every start and from several processes (Flyway locks its
     * history table).
     *
     * @param schema the module's schema name: lowercase letters and digits
     * @param owner  a class of the module whose class loader sees {@code db/<schema>}
     * @throws IllegalArgumentException for a schema name that is not lowercase letters and digits
     * @throws org.flywaydb.core.api.FlywayException when a script fails or an applied one was changed
     */
    public static void migrate(DataSource dataSource, String schema, Class<?> owner) {
        if (schema == null || !schema.matches("[a-z0-9]+")) {
            throw new IllegalArgumentException("a schema name is lowercase letters and digits");
        }
        Flyway.configure(owner.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/" + schema)
                .table("phr_" + schema + "_schema_history")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
    }
}
