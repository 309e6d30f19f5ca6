package org.phrcloud.server;

import java.util.Base64;
import java.util.List;

/**
 * The system properties {@link PhrServerConfig} reads (as Payara would pass them), set for an in-process server on a
 * given database: a test master key and blind-index key, institution {@code st-mary}, no token issuer reachable, the
 * MLLP listener off. For the storage contract tests and the benchmarks.
 */
public final class TestServerProperties {
    private static final List<String> NAMES = List.of("phr.db.url", "phr.db.username", "phr.db.password", "phr.oidc.issuer",
            "phr.master.keys", "phr.master.key.id", "phr.blind.index.key", "phr.institution.id", "phr.mllp.port");

    private TestServerProperties() {
    }

    public static void set(String jdbcUrl, String username, String password) {
        System.setProperty("phr.db.url", jdbcUrl);
        System.setProperty("phr.db.username", username);
        System.setProperty("phr.db.password", password);
        System.setProperty("phr.oidc.issuer", "http://127.0.0.1:1/realms/phr");
        System.setProperty("phr.master.keys", "test:" + Base64.getEncoder().encodeToString(new byte[32]));
        System.setProperty("phr.master.key.id", "test");
        System.setProperty("phr.institution.id", "st-mary");
        System.setProperty("phr.mllp.port", "0");
        System.setProperty("phr.blind.index.key", Base64.getEncoder().encodeToString("blind-index-key-of-the-tests-32b".getBytes()));
    }

    public static void clear() {
        NAMES.forEach(System::clearProperty);
    }
}
