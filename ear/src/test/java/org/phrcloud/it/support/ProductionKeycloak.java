package org.phrcloud.it.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.ws.rs.client.ClientBuilder;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.phrcloud.identity.keycloak.RealmFile;
import org.phrcloud.tools.RealmFileCommand;
import org.phrcloud.tools.devstack.DevStack;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * Keycloak in production mode as the chart runs it: {@code kc.sh start} (not {@code start-dev}) on PostgreSQL, HTTPS
 * only with a certificate given by configuration, the hostname set, the {@code phr} realm imported at the first start
 * from the realm file the project makes ({@link RealmFile}, exported from the platform's provisioned realm), the
 * clients' secrets from the environment. A copy of the Keycloak distribution (its build for PostgreSQL must not touch
 * the dev-mode one), a self-signed certificate for 127.0.0.1 made with keytool, and a PostgreSQL of its own.
 */
public final class ProductionKeycloak implements AutoCloseable {
    private final Path dir;
    private final int httpsPort;
    private final int managementPort;
    private final EmbeddedPostgres postgres;
    private final SSLContext trust;
    private ManagedProcess keycloak;

    private ProductionKeycloak(Path dir, int httpsPort, int managementPort, EmbeddedPostgres postgres, SSLContext trust) {
        this.dir = dir;
        this.httpsPort = httpsPort;
        this.managementPort = managementPort;
        this.postgres = postgres;
        this.trust = trust;
    }

    /** Makes the realm file from the platform's realm, and starts Keycloak with it until it is ready. */
    public static ProductionKeycloak start(Platform platform, int httpsPort, int managementPort) throws Exception {
        Path dir = platform.workDir().resolve("keycloak-production").toAbsolutePath();
        if (Files.exists(dir)) {
            org.apache.commons.io.file.PathUtils.deleteDirectory(dir);
        }
        Files.createDirectories(dir);
        Path home = dir.resolve("keycloak");
        ManagedProcess.run("copy Keycloak", List.of("cp", "-a", DevStack.keycloakHome(platform.distDir()).toString(), home.toString()),
                Map.of(), dir.resolve("copy.log"));
        if (Files.exists(home.resolve("data"))) {
            org.apache.commons.io.file.PathUtils.deleteDirectory(home.resolve("data"));
        }
        // the realm file, from the realm the platform provisioned
        Files.createDirectories(home.resolve("data/import"));
        try (Keycloak admin = KeycloakBuilder.builder().serverUrl(platform.keycloakUrl()).realm("master").clientId("admin-cli")
                .username(admin(platform, "USERNAME")).password(admin(platform, "PASSWORD")).build()) {
            RealmFileCommand.write(admin, home.resolve("data/import/realm-phr.json"));
        }
        // TLS: a key pair for 127.0.0.1, given to Keycloak as a PKCS#12 key store
        String storePassword = UUID.randomUUID().toString();
        Path keyStore = dir.resolve("tls.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        ManagedProcess.run("keytool", List.of(keytool, "-genkeypair", "-alias", "keycloak", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", keyStore.toString(),
                "-storetype", "PKCS12", "-storepass", storePassword), Map.of(), dir.resolve("keytool.log"));
        ManagedProcess.run("keytool export", List.of(keytool, "-exportcert", "-rfc", "-alias", "keycloak", "-keystore", keyStore.toString(),
                "-storepass", storePassword, "-file", dir.resolve("tls.crt").toString()), Map.of(), dir.resolve("keytool-export.log"));

        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE keycloak");
        }
        ProductionKeycloak kc = new ProductionKeycloak(dir, httpsPort, managementPort, postgres, trusting(dir.resolve("tls.crt")));
        try {
            Map<String, String> env = new HashMap<>(platform.keycloakAdminEnv());
            env.put("KC_DB_PASSWORD", "postgres");
            env.put("KC_HTTPS_KEY_STORE_PASSWORD", storePassword);
            env.put(RealmFile.SECRET_VARIABLES.get("phr-backend"), platform.realm().backendClientSecret());
            env.put(RealmFile.SECRET_VARIABLES.get("phr-portal-web"), platform.realm().portalWebClientSecret());
            env.put(RealmFile.SECRET_VARIABLES.get("phr-directory"), platform.realm().directoryClientSecret());
            kc.keycloak = ManagedProcess.start("keycloak (production mode)", DevStack.keycloakProduction(home, httpsPort, managementPort,
                    "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/keycloak", "postgres", keyStore), env, dir.resolve("keycloak.log"));
            HttpClient http = HttpClient.newBuilder().sslContext(kc.trust).connectTimeout(Duration.ofSeconds(5)).build();
            // the management interface serves health over HTTPS when the server does
            await("Keycloak in production mode").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + managementPort + "/health/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (java.io.IOException e) {
                    if (!kc.keycloak.isAlive()) {
                        throw new IllegalStateException("Keycloak in production mode stopped; see " + dir.resolve("keycloak.log"));
                    }
                    return false;
                }
            });
            return kc;
        } catch (Exception | Error e) {
            kc.close();
            throw e;
        }
    }

    /** @return TLS that trusts the JDK's authorities and {@code certificate} */
    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream cacerts = Files.newInputStream(Path.of(System.getProperty("java.home"), "lib/security/cacerts"))) {
            store.load(cacerts, "changeit".toCharArray());
        }
        try (InputStream pem = Files.newInputStream(certificate)) {
            store.setCertificateEntry("phr-keycloak", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** The realm URL tokens of this Keycloak carry in {@code iss}. */
    public String issuer() {
        return "https://127.0.0.1:" + httpsPort + "/realms/phr";
    }

    public String url() {
        return "https://127.0.0.1:" + httpsPort;
    }

    /** Its TLS certificate (PEM), for the servers' trust stores. */
    public Path certificate() {
        return dir.resolve("tls.crt");
    }

    /** TLS that trusts this Keycloak (and the JDK's authorities). */
    public SSLContext trust() {
        return trust;
    }

    /** An admin client of the master realm, over HTTPS. */
    public Keycloak admin(Platform platform) throws java.io.IOException {
        return KeycloakBuilder.builder().serverUrl(url()).realm("master").clientId("admin-cli").username(admin(platform, "USERNAME"))
                .password(admin(platform, "PASSWORD"))
                .resteasyClient(ClientBuilder.newBuilder().sslContext(trust).build()).build();
    }

    /** @return the platform's Keycloak admin's {@code USERNAME} or {@code PASSWORD}, which this Keycloak starts with too */
    private static String admin(Platform platform, String which) throws java.io.IOException {
        return platform.keycloakAdminEnv().get("KC_BOOTSTRAP_ADMIN_" + which);
    }

    @Override
    public void close() {
        if (keycloak != null) {
            keycloak.close();
        }
        try {
            postgres.close();
        } catch (java.io.IOException e) {
            // the test JVM ends anyway
        }
    }
}
