package org.phrcloud.it.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.phrcloud.ledger.anchor.DevChain;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.tools.SecretFile;
import org.phrcloud.tools.devstack.DevStack;
import org.phrcloud.tools.devstack.ServerSettings;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Several replicas of the server on one PostgreSQL, as a Kubernetes Deployment runs them: Payara Server domains of
 * their own (their own ports), each with the EAR, all with the same settings (one institution, one database, one
 * set of keys, one anchoring account), next to the {@link Platform}'s Keycloak and anvil. The database is a real
 * PostgreSQL (the embedded binaries), started here. The replicas' institution anchors with anvil's second
 * institution account, admitted here, so its nonces never meet those of the platform's own server.
 */
public final class ReplicaServers implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * One replica.
     *
     * @param name     its domain's name
     * @param portbase its domain's port base: HTTP on base + 80, admin on base + 48
     */
    public record Replica(String name, int portbase) {
        public String baseUrl() {
            return "http://127.0.0.1:" + (portbase + 80) + "/";
        }

        public String fhirBase() {
            return baseUrl() + "fhir";
        }

        public String apiBase() {
            return baseUrl() + "api";
        }
    }

    private final Platform platform;
    private final Path dir;
    private EmbeddedPostgres postgres;
    private final List<Replica> replicas = new ArrayList<>();

    private ReplicaServers(Platform platform, Path dir, EmbeddedPostgres postgres) {
        this.platform = platform;
        this.dir = dir;
        this.postgres = postgres;
    }

    /**
     * Starts PostgreSQL, admits the replicas' anchoring account on chain, creates one domain per port base with the EAR
     * and the shared settings, and starts them all at once, as a Deployment does (on the empty database they create the
     * schema one after the other, under the servers' migration lock), until each one's FHIR endpoint answers.
     *
     * @param institution the replicas' institution id (its audit chain must not be the platform server's)
     */
    public static ReplicaServers start(Platform platform, String institution, int... portbases) throws Exception {
        return start(platform, "replicas", institution, platform.realm().issuer(), null, true, portbases);
    }

    /**
     * As {@link #start(Platform, String, int...)}, in the work folder {@code folder}, trusting tokens of {@code issuer}
     * (a realm with the platform realm's client secrets) whose TLS certificate {@code trustedCertificate} (PEM, or null
     * for plain HTTP) the servers add to their trust store; with {@code anchoring} false the servers have no chain
     * (their blocks wait in the outbox), so they never use the anchoring account another test counts.
     */
    public static ReplicaServers start(Platform platform, String folder, String institution, String issuer, Path trustedCertificate,
                                       boolean anchoring, int... portbases) throws Exception {
        Path dir = platform.workDir().resolve(folder).toAbsolutePath();
        if (Files.exists(dir)) {
            org.apache.commons.io.file.PathUtils.deleteDirectory(dir);
        }
        Files.createDirectories(dir.resolve("secrets"));
        // its data in the work folder, kept when it stops, so that a test can stop it and start it again (stopDatabase)
        ReplicaServers servers = new ReplicaServers(platform, dir, EmbeddedPostgres.builder().setDataDirectory(dir.resolve("postgres"))
                .setCleanDataDirectory(false).start());
        try {
            if (anchoring) {
                servers.admitAnchoringAccount(new Replica("first", portbases[0]).baseUrl());
            }
            SecretFile.write(dir.resolve("secrets/chain-sender.key"), DevChain.OTHER_INSTITUTION_KEY);
            Path payara = platform.distDir().resolve("payara6");
            for (int i = 0; i < portbases.length; i++) {
                Replica r = new Replica("phr-replica-" + (i + 1), portbases[i]);
                ManagedProcess.run("create-domain " + r.name(), DevStack.createDomain(payara, dir, r.name(), r.portbase()), Map.of(),
                        dir.resolve("create-" + r.name() + ".log"));
                Path domain = dir.resolve(r.name());
                DevStack.configureDomain(domain);
                Map<String, String> more = new LinkedHashMap<>();
                more.put("phr.db.username", "postgres");
                more.put("phr.db.password", "postgres");
                more.put("phr.anchor.interval.seconds", "2");
                more.put("phr.mllp.port", String.valueOf(r.portbase() + 75));
                more.put("phr.terminology.dir", System.getProperty("phr.it.terminology.dir"));
                if (trustedCertificate != null) {
                    ManagedProcess.run("trust " + r.name(), List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                            "-importcert", "-noprompt", "-alias", "phr-issuer", "-file", trustedCertificate.toString(), "-keystore",
                            domain.resolve("config/cacerts.p12").toString(), "-storepass", "changeit"), Map.of(), dir.resolve("trust-" + r.name() + ".log"));
                }
                new ServerSettings(issuer, "jdbc:postgresql://127.0.0.1:" + servers.postgres.getPort() + "/postgres",
                        institution, anchoring ? platform.anvilUrl() : "", System.getProperty("phr.it.anchor.contract"), dir.resolve("secrets"), more)
                        .writeTo(domain, platform.realm());
                Files.createDirectories(domain.resolve("autodeploy"));
                Files.copy(Path.of(System.getProperty("phr.it.ear")), domain.resolve("autodeploy/phr-cloud.ear"), StandardCopyOption.REPLACE_EXISTING);
                servers.replicas.add(r);
            }
            for (Replica r : servers.replicas) {
                servers.launch(r);
            }
            for (Replica r : servers.replicas) {
                servers.awaitServing(r);
            }
            if (anchoring) {
                servers.awaitKeysPublished();
            }
            return servers;
        } catch (Exception | Error e) {
            servers.close();
            throw e;
        }
    }

    private void admitAnchoringAccount(String endpoint) throws Exception {
        Web3j web3j = Web3j.build(new HttpService(platform.anvilUrl()));
        try {
            AnchorRegistry.load(System.getProperty("phr.it.anchor.contract"), web3j, new RawTransactionManager(web3j,
                            Credentials.create(DevChain.OPERATOR_KEY), DevChain.CHAIN_ID, new PollingTransactionReceiptProcessor(web3j, 250, 120)),
                    new DefaultGasProvider()).setInstitution(DevChain.address(DevChain.OTHER_INSTITUTION_KEY), endpoint).send();
        } finally {
            web3j.shutdown();
        }
    }

    /**
     * Waits until the replicas' institution published its JWK Set on chain (the anchoring schedule does it once, before
     * any anchor of a new database), so that what a test counts of the anchoring account starts after it.
     */
    private void awaitKeysPublished() {
        Web3j web3j = Web3j.build(new HttpService(platform.anvilUrl()));
        try {
            AnchorRegistry registry = AnchorRegistry.load(System.getProperty("phr.it.anchor.contract"), web3j,
                    new org.web3j.tx.ReadonlyTransactionManager(web3j, null), new DefaultGasProvider());
            await("the replicas' keys published on chain").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                HttpResponse<String> keys = HTTP.send(HttpRequest.newBuilder(URI.create(replicas.get(0).apiBase() + "/identity/institutions/keys"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                String kid = com.nimbusds.jose.jwk.JWKSet.parse(keys.body()).getKeys().get(0).getKeyID();
                return registry.jwks(DevChain.address(DevChain.OTHER_INSTITUTION_KEY)).send().contains("\"" + kid + "\"");
            });
        } finally {
            web3j.shutdown();
        }
    }

    public List<Replica> replicas() {
        return replicas;
    }

    /** The replicas' PostgreSQL database. */
    public DataSource database() {
        return postgres.getPostgresDatabase();
    }

    /** Stops the replicas' PostgreSQL, as an outage of the database would; the servers keep running. */
    public void stopDatabase() throws IOException {
        postgres.close();
    }

    /** Starts the replicas' PostgreSQL again, with its data, on the same port. */
    public void startDatabase() throws IOException {
        postgres = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("postgres")).setCleanDataDirectory(false)
                .setPort(postgres.getPort()).start();
    }

    /** @return the replica a lease holder id names ({@code host:instance root}), or null */
    public Replica holder(String leaseHolder) {
        return replicas.stream().filter(r -> leaseHolder.endsWith(":" + dir.resolve(r.name()))).findFirst().orElse(null);
    }

    /** Starts a replica's domain (the EAR deploys from its autodeploy folder) and waits until FHIR answers. */
    public void start(Replica r) throws Exception {
        launch(r);
        awaitServing(r);
    }

    private void launch(Replica r) throws Exception {
        ManagedProcess.run("start " + r.name(), List.of("bash", platform.distDir().resolve("payara6/bin/asadmin").toString(),
                "start-domain", "--domaindir", dir.toString(), r.name()), Map.of(), dir.resolve("start-" + r.name() + "-" + System.currentTimeMillis() + ".log"));
    }

    private void awaitServing(Replica r) {
        await(r.name() + " serving FHIR").atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(2))
                .until(() -> Platform.status(r.fhirBase() + "/metadata") == 200);
    }

    /** Kills a replica at once ({@code kill -9}), as a crashed pod. */
    public void kill(Replica r) throws IOException {
        long pid = Long.parseLong(Files.readString(dir.resolve(r.name()).resolve("config/pid")).trim());
        ProcessHandle server = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no Payara process " + pid));
        server.destroyForcibly();
        server.onExit().join();
    }

    /**
     * A request to a replica as a FHIR or JSON client sends it.
     *
     * @param token a bearer token; @param body JSON text (as {@code application/fhir+json}) or null
     */
    public static HttpResponse<String> call(String url, String method, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token).header("Accept", "application/fhir+json, application/json;q=0.9")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/fhir+json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }


    @Override
    public void close() {
        for (Replica r : replicas) {
            try {
                ManagedProcess.run("stop " + r.name(), List.of("bash", platform.distDir().resolve("payara6/bin/asadmin").toString(),
                        "stop-domain", "--kill=true", "--domaindir", dir.toString(), r.name()), Map.of(), dir.resolve("stop-" + r.name() + ".log"));
            } catch (Exception e) {
                // stopped already (killed)
            }
        }
        try {
            postgres.close();
        } catch (IOException e) {
            // the test JVM ends anyway
        }
    }
}
