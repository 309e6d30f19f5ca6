package org.phrcloud.it.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.io.file.PathUtils;
import org.phrcloud.tools.DeployContractsCommand;
import org.phrcloud.tools.devstack.DevStack;
import org.phrcloud.tools.devstack.ServerSettings;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.phrcloud.identity.keycloak.DemoUser;
import org.phrcloud.identity.keycloak.ProvisionedRealm;
import org.phrcloud.tools.BrowserLogin;
import org.phrcloud.identity.token.TokenClient;
import org.phrcloud.identity.totp.Totp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * The running platform around the Payara that Arquillian manages: anvil, Keycloak with the {@code phr}
 * realm provisioned exactly as {@code ./phr up} does it, and the {@code phr-it} Payara domain (heap 2 GB,
 * loopback listeners). Started once per test JVM, stopped when the JVM's tests are done.
 */
public final class Platform implements ExtensionContext.Store.CloseableResource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final List<ManagedProcess> processes = new ArrayList<>();
    private final Path work = Path.of(System.getProperty("phr.it.work.dir", "target/it"));
    private final Path dist = Path.of(System.getProperty("phr.dist.dir", "target/dist"));
    private final int httpPort = Integer.getInteger("phr.it.http.port", 28080);
    private final int keycloakPort = Integer.getInteger("phr.it.keycloak.port", 28180);
    private final int keycloakMgmtPort = Integer.getInteger("phr.it.keycloak.mgmt.port", 29180);
    private final int anvilPort = Integer.getInteger("phr.it.anvil.port", 28545);
    private ProvisionedRealm realm;
    /**
     * Patient logins beyond demo-patient ({@code it-patient-01} ...), with password and TOTP like the demo users, for
     * tests that need patients who decide for themselves (consent).
     */
    public static final int EXTRA_PATIENTS = 27;
    private String patientRegistry;
    private String anchorRegistry;

    Platform() {
    }

    void start() throws Exception {
        Files.createDirectories(work.resolve("logs"));
        Files.deleteIfExists(work.resolve("master-keys")); // throw-away identity keys, made anew for the empty database
        Files.deleteIfExists(work.resolve("blind-index.key"));
        if (Files.exists(work.resolve("data"))) {
            PathUtils.deleteDirectory(work.resolve("data")); // the FHIR database (phr.db.url): every run starts empty
        }
        startAnvil();
        startKeycloak();
        provisionRealm();
        preparePayaraDomain();
        serverSettings();
    }

    /**
     * The server's settings as {@code ./phr up} gives them ({@link ServerSettings}), for this test platform: the test
     * database and ports, throw-away identity keys made per run (the database starts empty), anchoring every 2 s,
     * the test terminology. The secret files go to the work folder.
     */
    private void serverSettings() throws IOException {
        new ServerSettings(realm.issuer(), "jdbc:h2:file:" + work.resolve("data/fhir").toAbsolutePath(), "st-mary", anvilUrl(),
                anchorRegistry, work.toAbsolutePath(), Map.of(
                "phr.anchor.interval.seconds", "2",
                "phr.mllp.port", System.getProperty("phr.it.mllp.port"),
                "phr.terminology.dir", System.getProperty("phr.it.terminology.dir")))
                .writeTo(dist.resolve("payara6/glassfish/domains/phr-it"), realm);
    }


    private void startAnvil() throws Exception {
        Path state = work.resolve("anvil");
        if (Files.exists(state)) {
            // a fresh chain: account 0's first two deployments land at fixed addresses (ear/pom.xml names them)
            PathUtils.deleteDirectory(state);
        }
        Files.createDirectories(state);
        launchAnvil("anvil.log");
        Web3j web3j = Web3j.build(new HttpService(anvilUrl()));
        try {
            // the server's anchoring account's key goes to the work folder's chain-sender.key (ServerSettings)
            DeployContractsCommand.Deployed deployed = DeployContractsCommand.deployOnDevChain(web3j, work.resolve("contracts.json"),
                    baseUrl(), work.resolve("chain-sender.key"));
            patientRegistry = deployed.patientRegistry();
            anchorRegistry = deployed.anchorRegistry();
            String expected = System.getProperty("phr.it.anchor.contract");
            if (!anchorRegistry.equalsIgnoreCase(expected)) {
                throw new IllegalStateException("AnchorRegistry deployed at " + anchorRegistry + ", the tests expect "
                        + expected + " (ear/pom.xml phr.it.anchor.contract)");
            }
        } finally {
            web3j.shutdown();
        }
    }

    private ManagedProcess anvil;

    /** Anvil with 1 s blocks, keeping its state (contracts, anchors) in a file across restarts. */
    private void launchAnvil(String log) throws Exception {
        Path state = work.resolve("anvil");
        anvil = ManagedProcess.start("anvil", DevStack.anvil(Path.of(System.getProperty("phr.it.anvil.bin")), anvilPort,
                state.resolve("state.json")), Map.of(), work.resolve("logs/" + log));
        processes.add(anvil);
        await("anvil").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> DevStack.anvilReady(anvilPort));
    }

    /** Stops the chain node (an outage); {@link #startChain()} brings it back with its state. */
    public void stopChain() {
        processes.remove(anvil);
        anvil.close();
        await("anvil stopped").atMost(Duration.ofSeconds(10)).until(() -> rpc("eth_chainId") == null);
    }

    public void startChain() throws Exception {
        launchAnvil("anvil-restarted-" + System.currentTimeMillis() + ".log");
    }

    /** Kills the application server at once ({@code kill -9}), as a crash would. */
    public void killServer() throws IOException {
        Path pidFile = dist.resolve("payara6/glassfish/domains/phr-it/config/pid");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle server = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no Payara process " + pid));
        server.destroyForcibly();
        server.onExit().join();
    }

    /** Starts the application server again (the EAR stays deployed in the domain) and waits until FHIR answers. */
    public void startServer() throws Exception {
        ManagedProcess.run("start-domain", List.of("bash", dist.resolve("payara6/bin/asadmin").toString(), "start-domain", "phr-it"),
                Map.of(), work.resolve("logs/restart-domain-" + System.currentTimeMillis() + ".log"));
        await("the application after a restart").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2))
                .until(() -> status(fhirBase() + "/metadata") == 200);
    }

    private void startKeycloak() throws Exception {
        Path home = DevStack.keycloakHome(dist);
        if (Files.exists(home.resolve("data/h2"))) {
            // every run provisions a fresh realm, as on a new machine (a kept realm hid a provisioning bug once)
            PathUtils.deleteDirectory(home.resolve("data/h2"));
        }
        launchKeycloak("keycloak.log");
    }

    private ManagedProcess keycloak;

    /** Keycloak in dev mode, its realm kept in its own H2 file across restarts. */
    private void launchKeycloak(String log) throws Exception {
        keycloak = ManagedProcess.start("keycloak", DevStack.keycloak(DevStack.keycloakHome(dist), keycloakPort, keycloakMgmtPort),
                keycloakAdminEnv(), work.resolve("logs/" + log));
        processes.add(keycloak);
        await("Keycloak").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> DevStack.keycloakReady(keycloakMgmtPort));
    }

    /** Stops Keycloak (an outage of the identity provider); {@link #startKeycloakAgain()} brings it back with its realm. */
    public void stopKeycloak() {
        processes.remove(keycloak);
        keycloak.close();
        await("Keycloak stopped").atMost(Duration.ofSeconds(30)).until(() -> status(keycloakUrl() + "/realms/master") == -1);
    }

    public void startKeycloakAgain() throws Exception {
        launchKeycloak("keycloak-restarted-" + System.currentTimeMillis() + ".log");
    }

    /** The test server's domain folder (its {@code logs/server.log}, its settings). */
    public Path serverDomain() {
        return dist.resolve("payara6/glassfish/domains/phr-it");
    }

    /** The JDBC URL of the server's H2 database (user {@code sa}, no password), to open while the server is down. */
    public String databaseUrl() {
        return "jdbc:h2:file:" + work.resolve("data/fhir").toAbsolutePath();
    }

    /** Provisions the realm with the same command {@code ./phr up} runs, in its own JVM. */
    private void provisionRealm() throws Exception {
        Path module = Path.of(System.getProperty("phr.it.tools.module"));
        String classpath = module.resolve("target/classes") + ":"
                + Files.readString(module.resolve("target/runtime-classpath.txt")).trim();
        Path state = work.resolve("realm.json");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, "org.phrcloud.tools.ProvisionRealmCommand",
                "--keycloak-url", keycloakUrl(), "--portal-url", portalUrl(),
                "--state", state.toString(), "--otp-code-reusable"));
        for (int i = 1; i <= EXTRA_PATIENTS; i++) {
            command.addAll(List.of("--extra-user", extraPatient(i) + "=patient"));
        }
        ManagedProcess.run("realm provisioning", command,
                keycloakAdminEnv(), work.resolve("logs/provision.log"));
        realm = JSON.readValue(state.toFile(), ProvisionedRealm.class);
    }

    /** An admin client of the platform's Keycloak (master realm), for realms of other deployments. */
    public org.keycloak.admin.client.Keycloak keycloakAdmin() throws IOException {
        Map<String, String> env = keycloakAdminEnv();
        return org.keycloak.admin.client.KeycloakBuilder.builder().serverUrl(keycloakUrl()).realm("master").clientId("admin-cli")
                .username(env.get("KC_BOOTSTRAP_ADMIN_USERNAME")).password(env.get("KC_BOOTSTRAP_ADMIN_PASSWORD")).build();
    }

    /** The environment that makes Keycloak's first admin ({@code KC_BOOTSTRAP_ADMIN_*}), its password made once per run. */
    Map<String, String> keycloakAdminEnv() throws IOException {
        Path file = work.resolve("keycloak-admin.password");
        if (!Files.exists(file)) {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            Files.writeString(file, Base64.getUrlEncoder().encodeToString(random));
        }
        return DevStack.keycloakAdmin(Files.readString(file).trim());
    }

    /** The domain Arquillian starts: created once with the test port base, 2 GB heap, loopback listeners. */
    private void preparePayaraDomain() throws Exception {
        Path payara = dist.resolve("payara6");
        Path domain = payara.resolve("glassfish/domains/phr-it");
        if (Files.exists(domain)) {
            return;
        }
        ManagedProcess.run("create-domain", DevStack.createDomain(payara, null, "phr-it",
                Integer.parseInt(System.getProperty("phr.it.portbase", "28000"))), Map.of(), work.resolve("logs/create-domain.log"));
        DevStack.configureDomain(domain);
        // The test server deploys the EAR once per test class (about 25 times) and some undeployed applications stay
        // reachable for a while (threads of web3j's RxJava and OkHttp, HttpClient selector threads keep their class
        // loader): 3 GB instead of the 2 GB one deployment needs (./phr up), so the run does not end in OutOfMemoryError.
        Path xml = domain.resolve("config/domain.xml");
        Files.writeString(xml, Files.readString(xml).replace("-Xmx2g", "-Xmx3g"));
    }

    /** The fixture's work folder (logs, secrets, data of the run). */
    public Path workDir() {
        return work;
    }

    /** Where the distributions are unpacked (Payara Server, Keycloak). */
    public Path distDir() {
        return dist;
    }

    public String keycloakUrl() {
        return "http://127.0.0.1:" + keycloakPort;
    }

    /** The deployment's base URL, its endpoint in the chain's registries. */
    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort + "/";
    }

    /** The PatientRegistry the AnchorRegistry created. */
    public String patientRegistry() {
        return patientRegistry;
    }

    public String fhirBase() {
        return "http://127.0.0.1:" + httpPort + "/fhir";
    }

    /** Base of the JSON APIs, e.g. {@code .../api/identity}. */
    public String apiBase() {
        return "http://127.0.0.1:" + httpPort + "/api";
    }

    /** Where the portal runs; its redirect URIs ({@code /portal/*}) are registered for the portal client. */
    public String portalUrl() {
        return "http://127.0.0.1:" + httpPort + "/portal";
    }

    public String anvilUrl() {
        return "http://127.0.0.1:" + anvilPort;
    }

    public ProvisionedRealm realm() {
        return realm;
    }

    public Path syntheaFolder() {
        return Path.of(System.getProperty("phr.it.synthea.dir"));
    }

    private org.phrcloud.standards.fhir.load.LoadSummary syntheaLoad;

    /**
     * Loads the build's Synthea patients once for all test classes (whichever asks first loads them; the others get the
     * same summary), as the institution's system (client credentials), each bundle as an idempotent transaction.
     */
    public synchronized org.phrcloud.standards.fhir.load.LoadSummary loadSyntheaOnce(ca.uhn.fhir.context.FhirContext fhir) throws IOException {
        if (syntheaLoad == null) {
            syntheaLoad = syntheaLoader(fhir).loadSyntheaFolder(syntheaFolder());
        }
        return syntheaLoad;
    }

    /** A loader of transaction bundles that writes as the institution's system. */
    public org.phrcloud.standards.fhir.load.TransactionBundleLoader syntheaLoader(ca.uhn.fhir.context.FhirContext fhir) {
        fhir.getRestfulClientFactory().setServerValidationMode(ca.uhn.fhir.rest.client.api.ServerValidationModeEnum.NEVER);
        fhir.getRestfulClientFactory().setSocketTimeout(10 * 60 * 1000);
        return new org.phrcloud.standards.fhir.load.TransactionBundleLoader(fhir, fhirBase(), () -> {
            try {
                ca.uhn.fhir.rest.client.api.IGenericClient client = fhir.newRestfulGenericClient(fhirBase());
                client.registerInterceptor(new ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor(serviceToken()));
                return client;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** The username of extra patient {@code i} (1 to {@link #EXTRA_PATIENTS}). */
    public static String extraPatient(int i) {
        return String.format("it-patient-%02d", i);
    }

    /** An access token of a demo user, by password and the current TOTP code ({@code acr=1}). */
    public String userToken(String username) throws IOException {
        DemoUser user = realm.user(username);
        return tokenClient().password(user.username(), user.password(), Totp.code(user.totpSecret(), Instant.now()));
    }

    /**
     * An access token of a demo user at {@code acr=2}: the portal's browser login (code + PKCE) with
     * {@code acr_values=2}, password and then the TOTP code.
     */
    public String stepUpToken(String username) throws IOException {
        DemoUser user = realm.user(username);
        try {
            return browser().login("2", user.username(), user.password(), user.totpSecret());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** A new browser login at the portal client (one instance per login). */
    public BrowserLogin browser() {
        return new BrowserLogin(realm.issuer(), realm.portalClientId(), portalUrl() + "/callback");
    }

    /** An access token of the backend client's service account (client credentials). */
    public String serviceToken() throws IOException {
        return tokenClient().clientCredentials();
    }

    private TokenClient tokenClient() {
        return new TokenClient(realm.issuer(), realm.backendClientId(), realm.backendClientSecret());
    }

    /** @return the JSON-RPC {@code result} of a call to anvil with JSON parameters, or null if it did not answer */
    public JsonNode rpc(String method, String jsonParams) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(anvilUrl()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method
                        + "\",\"params\":" + jsonParams + "}")).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).get("result");
    }

    /** @return the JSON-RPC {@code result} of a parameterless call to anvil, or null if it did not answer */
    public String rpc(String method) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(anvilUrl()))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":[]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            var result = JSON.readTree(r.body()).get("result");
            return result == null ? null : result.asText();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** @return the HTTP status of a GET, or -1 when nothing answers */
    static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }
}
