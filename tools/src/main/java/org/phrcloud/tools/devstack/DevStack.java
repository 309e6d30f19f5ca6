package org.phrcloud.tools.devstack;

import org.phrcloud.ledger.anchor.DevChain;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The development stack around the application server, defined once for {@code ./phr} and the integration-test
 * fixture: how anvil, Keycloak (dev mode) and a Payara Server domain are started and when each is ready. Everything
 * listens on 127.0.0.1 only. The callers own the processes: {@code ./phr} through {@link DevStackCommand} (detached,
 * PID files), the fixture as child processes it stops at the end of the tests.
 */
public final class DevStack {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private DevStack() {
    }

    /**
     * anvil as the development chain: chain id {@value DevChain#CHAIN_ID}, a block a second, its state kept in
     * {@code state} (written every second, so a kill keeps it).
     */
    public static List<String> anvil(Path binary, int port, Path state) {
        return List.of(binary.toString(), "--host", "127.0.0.1", "--port", String.valueOf(port), "--chain-id",
                String.valueOf(DevChain.CHAIN_ID), "--block-time", "1", "--state", state.toString(), "--state-interval", "1");
    }

    /** Keycloak of the distribution in {@code home}, in dev mode, with its health endpoints on {@code managementPort}. */
    public static List<String> keycloak(Path home, int port, int managementPort) {
        return List.of("bash", home.resolve("bin/kc.sh").toString(), "start-dev", "--http-host=127.0.0.1", "--http-port=" + port,
                "--http-management-port=" + managementPort, "--health-enabled=true");
    }

    /**
     * Keycloak of the distribution in {@code home} in production mode, as the chart starts it: {@code kc.sh start}
     * (built for PostgreSQL at the first start), HTTPS only on {@code httpsPort} with the key pair of {@code keyStore}
     * (PKCS#12; its password from {@code KC_HTTPS_KEY_STORE_PASSWORD}), the hostname fixed, health on the management
     * port, the realm files of {@code data/import} imported at the first start (their {@code ${VAR}} placeholders from
     * the environment). The database password comes from {@code KC_DB_PASSWORD}.
     */
    public static List<String> keycloakProduction(Path home, int httpsPort, int managementPort, String dbUrl, String dbUser, Path keyStore) {
        return List.of("bash", home.resolve("bin/kc.sh").toString(), "start", "--import-realm",
                "--db=postgres", "--db-url=" + dbUrl, "--db-username=" + dbUser,
                "--hostname=https://127.0.0.1:" + httpsPort, "--http-enabled=false", "--https-port=" + httpsPort,
                "--http-host=127.0.0.1", "--https-key-store-file=" + keyStore, "--https-key-store-type=PKCS12",
                "--http-management-port=" + managementPort, "--health-enabled=true");
    }

    /** The environment that gives Keycloak its first admin ({@code KC_BOOTSTRAP_ADMIN_*}). */
    public static Map<String, String> keycloakAdmin(String password) {
        return Map.of("KC_BOOTSTRAP_ADMIN_USERNAME", "admin", "KC_BOOTSTRAP_ADMIN_PASSWORD", password);
    }

    /** The Keycloak distribution unpacked in {@code dist} ({@code keycloak-<version>}). */
    public static Path keycloakHome(Path dist) throws IOException {
        try (var s = Files.list(dist)) {
            return s.filter(p -> p.getFileName().toString().startsWith("keycloak-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no Keycloak distribution in " + dist));
        }
    }

    /**
     * {@code asadmin create-domain} for a domain named {@code name} in {@code domainDir} (null: the distribution's own),
     * its ports from {@code portbase} (HTTP = base + 80, admin = base + 48).
     */
    public static List<String> createDomain(Path payara, Path domainDir, String name, int portbase) {
        List<String> command = new ArrayList<>(List.of("bash", payara.resolve("bin/asadmin").toString(), "create-domain",
                "--nopassword=true", "--portbase", String.valueOf(portbase)));
        if (domainDir != null) {
            command.addAll(List.of("--domaindir", domainDir.toString()));
        }
        command.add(name);
        return command;
    }

    /**
     * Makes a new domain fit for the platform: a 2 GB heap (HAPI FHIR JPA needs more than the default 512 MB) and every
     * listener on the loopback interface only.
     */
    public static void configureDomain(Path domain) throws IOException {
        Path xml = domain.resolve("config/domain.xml");
        String config = Files.readString(xml).replace("-Xmx512m", "-Xmx2g").replace("address=\"0.0.0.0\"", "address=\"127.0.0.1\"")
                .replaceAll("<network-listener (?![^>]*address=)", "<network-listener address=\"127.0.0.1\" ");
        Files.writeString(xml, config);
    }

    /** anvil's readiness: its JSON-RPC answers {@code eth_chainId}. */
    public static boolean anvilReady(int port) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"result\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Keycloak's readiness: {@code /health/ready} on its management port answers 200. */
    public static boolean keycloakReady(int managementPort) {
        return answers200("http://127.0.0.1:" + managementPort + "/health/ready");
    }

    /** Whether a GET of {@code url} answers 200; false when nothing answers (connection refused, I/O error). */
    public static boolean answers200(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Polls {@code ready} every 250 ms until it holds.
     *
     * @throws IllegalStateException naming {@code what} when {@code limit} passes first
     */
    public static void await(String what, Duration limit, java.util.function.BooleanSupplier ready) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!ready.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException(what + " was not ready within " + limit.toSeconds() + " s");
            }
            Thread.sleep(250);
        }
    }
}
