package org.phrcloud.it.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.phrcloud.it.support.Calls;
import org.phrcloud.it.support.OnChain;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;
import org.phrcloud.it.support.ReplicaServers;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The reliability battery (issue 25, part 3) on the real platform (Payara with the EAR, Keycloak, anvil, the H2
 * database): the server killed ({@code kill -9}) under 200 concurrent writes, the chain node stopped under writes,
 * resources changed directly in the database, Keycloak stopped, and at the end no PHI of the battery's patients in
 * any log. Not in the default test run ({@code ./mvnw -Preliability verify}, README "Reliability battery"); each
 * test prints its figures on lines starting with {@code RELIABILITY}, which docs/reliability.md records.
 *
 * <p>Settings (system properties): {@code phr.reliability.writers} (default 200), {@code phr.reliability.kill.after.seconds}
 * (writing before the kill, default 20), {@code phr.reliability.chain.outage.seconds} (default 300),
 * {@code phr.reliability.database.outage.seconds} (default 30), {@code phr.reliability.keycloak.outage.seconds} (default 270:
 * a token issued just before the outage used at its end, after the server's cached JWK Set has expired).
 */
@ExtendWith(PlatformExtension.class)
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReliabilityBatteryIT {
    private static final String NATIONAL_ID = "urn:oid:2.16.840.1.113883.4.1";
    private static final int PATIENTS = 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A patient of the battery, with the PHI the log scan looks for. */
    record Person(String id, String pseudonym, String family, String given, String nationalId, String birthDate,
                  String line, String city, String postalCode) {
        List<String> phi() {
            return List.of(family, given, nationalId, birthDate, birthDate.replace("-", ""), line, city, postalCode);
        }
    }

    /** An acknowledged write: the Observation created, its patient, the request's X-Request-ID. */
    record Ack(String observationId, int patient, String requestId) {
    }

    private static Platform platform;
    private static Calls calls;
    private static final List<Person> PEOPLE = new ArrayList<>();
    private static final List<Ack> ACKNOWLEDGED = new ArrayList<>();
    /** The database tests' replica on PostgreSQL, its patient and first Observation. */
    private static ReplicaServers postgresReplica;
    private static String postgresPatient;
    private static String postgresObservation;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("phr.it.ear")));
    }

    @BeforeAll
    static void patients() throws Exception {
        platform = PlatformExtension.platform();
        calls = new Calls(platform);
        Random random = new Random();
        String token = platform.serviceToken();
        for (int i = 0; i < PATIENTS; i++) {
            String family = word(random, 9);
            String given = word(random, 7);
            String nationalId = "REL-" + UUID.randomUUID();
            String birthDate = LocalDate.of(1930 + random.nextInt(60), 1 + random.nextInt(12), 1 + random.nextInt(28)).toString();
            String line = (10 + random.nextInt(880)) + " " + word(random, 8) + " Lane";
            String city = word(random, 10);
            String postalCode = "Q" + random.nextInt(10) + word(random, 1).toUpperCase() + "-" + (100 + random.nextInt(900));
            HttpResponse<String> created = calls.fhir("POST", "/Patient", token, "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\""
                    + NATIONAL_ID + "\",\"value\":\"" + nationalId + "\"}],\"name\":[{\"family\":\"" + family + "\",\"given\":[\"" + given
                    + "\"]}],\"gender\":\"female\",\"birthDate\":\"" + birthDate + "\",\"address\":[{\"line\":[\"" + line + "\"],\"city\":\""
                    + city + "\",\"postalCode\":\"" + postalCode + "\"}]}");
            String id = Calls.created(created);
            String pseudonym = Calls.json(calls.api("GET", "/identity/patients?patientId=" + id, token, null)).path("pseudonym").asText();
            assertThat(pseudonym).isNotBlank();
            PEOPLE.add(new Person(id, pseudonym, family, given, nationalId, birthDate, line, city, postalCode));
        }
    }

    /**
     * kill -9 of Payara under 200 concurrent writers: every acknowledged write (201) reads back after the restart,
     * has exactly one AuditEvent, every touched chain verifies, anchoring resumes and anchors each block once.
     */
    @Test
    @Order(1)
    void theServerKilledUnderTwoHundredConcurrentWritesLosesNoAcknowledgedWrite() throws Exception {
        int writers = Integer.getInteger("phr.reliability.writers", 200);
        long killAfter = Long.getLong("phr.reliability.kill.after.seconds", 20);
        awaitAllAnchored(Duration.ofSeconds(60));
        String writersToken = platform.serviceToken();
        AtomicBoolean killed = new AtomicBoolean();
        ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> refusedBeforeTheKill = new ConcurrentLinkedQueue<>();
        AtomicInteger unanswered = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        for (int w = 0; w < writers; w++) {
            int writer = w;
            pool.submit(() -> {
                for (int n = 0; !killed.get(); n++) {
                    int patient = (writer + n) % PATIENTS;
                    String requestId = "rel-kill-" + UUID.randomUUID();
                    try {
                        HttpResponse<String> r = write(writersToken, PEOPLE.get(patient).id(), 60 + (n % 40), requestId);
                        if (r.statusCode() == 201) {
                            acks.add(new Ack(Calls.json(r).path("id").asText(), patient, requestId));
                        } else if (!killed.get()) {
                            refusedBeforeTheKill.add(r.statusCode() + " " + r.body());
                        }
                    } catch (IOException e) {
                        unanswered.incrementAndGet(); // the server died with this write in flight: not acknowledged
                        if (!killed.get()) {
                            refusedBeforeTheKill.add("no answer: " + e);
                        }
                    } catch (Exception e) {
                        refusedBeforeTheKill.add(e.toString());
                    }
                }
            });
        }
        Thread.sleep(killAfter * 1000);
        killed.set(true); // set before the kill: answers lost with the server are not refusals
        platform.killServer();
        pool.shutdown();
        assertThat(pool.awaitTermination(3, TimeUnit.MINUTES)).as("every writer ended").isTrue();
        int acknowledged = acks.size();
        assertThat(refusedBeforeTheKill).as("writes refused while the server ran").isEmpty();
        assertThat(acknowledged).as("writes acknowledged before the kill").isGreaterThan(writers);

        long restart = System.nanoTime();
        platform.startServer();
        double restartSeconds = (System.nanoTime() - restart) / 1e9;
        String token = platform.serviceToken(); // Keycloak's tokens last 300 s
        ACKNOWLEDGED.addAll(acks);
        int lost = 0;
        for (Ack ack : acks) {
            if (calls.fhir("GET", "/Observation/" + ack.observationId(), token, null).statusCode() != 200) {
                lost++;
            }
        }
        assertThat(lost).as("acknowledged writes lost").isZero();

        String admin = calls.token("demo-admin", "2");
        int audited = 0;
        for (Ack ack : acks) {
            JsonNode events = Calls.json(calls.api("GET", "/audit/events?requestId=" + ack.requestId(), admin, null));
            assertThat(events).as("exactly one AuditEvent for the acknowledged write " + ack).hasSize(1);
            audited++;
        }

        Set<Integer> touched = new TreeSet<>();
        acks.forEach(a -> touched.add(a.patient()));
        for (int p : touched) {
            JsonNode verified = Calls.json(calls.api("GET", "/ledger/patients/" + PEOPLE.get(p).pseudonym() + "/verify", token, null));
            assertThat(verified.path("valid").asBoolean()).as(verified.toString()).isTrue();
        }

        long resumed = System.nanoTime();
        awaitAllAnchored(Duration.ofMinutes(3));
        double anchoredSeconds = (System.nanoTime() - resumed) / 1e9;
        int anchors = OnChain.assertEveryAnchorRegisteredOnce(platform);
        for (int p : touched) {
            assertEachHeadAnchoredOnceAndTheExportVerifies(PEOPLE.get(p), null);
        }
        System.out.printf("RELIABILITY kill9 writers=%d killAfterSeconds=%d acknowledged=%d unanswered=%d lost=%d audited=%d "
                        + "chainsVerified=%d restartSeconds=%.1f allAnchoredSecondsAfterRestart=%.1f anchorsOnChain=%d%n", writers, killAfter,
                acknowledged, unanswered.get(), lost, audited, touched.size(), restartSeconds, anchoredSeconds, anchors);
    }

    /**
     * The chain node stopped under writes (5 minutes by default): every write accepted meanwhile, all of them anchored
     * in one anchoring round after the node returns (one anchor carries every chain head), no anchor sent twice.
     */
    @Test
    @Order(2)
    void theChainNodeStoppedUnderWritesLosesNothingAndAnchorsEverythingOnceWhenItReturns() throws Exception {
        long outageSeconds = Long.getLong("phr.reliability.chain.outage.seconds", 300);
        awaitAllAnchored(Duration.ofSeconds(60));
        long lastAnchorBefore = anchoring().path("lastAnchor").path("id").asLong();
        platform.stopChain();
        AtomicBoolean over = new AtomicBoolean();
        ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
        AtomicInteger accepted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        JsonNode during;
        try {
            for (int w = 0; w < 4; w++) {
                int writer = w;
                pool.submit(() -> {
                    for (int n = 0; !over.get(); n++) {
                        try {
                            String token = platform.serviceToken(); // Keycloak's tokens last 300 s: one per write
                            HttpResponse<String> r = write(token, PEOPLE.get((writer * 5 + n) % PATIENTS).id(), 50 + n % 50,
                                    "rel-chain-" + UUID.randomUUID());
                            if (r.statusCode() == 201) {
                                accepted.incrementAndGet();
                            } else {
                                refused.add(r.statusCode() + " " + r.body());
                            }
                            Thread.sleep(1000); // about 4 writes a second: a patient's $everything stays one page
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            refused.add(e.toString());
                        }
                    }
                });
            }
            Thread.sleep(outageSeconds * 1000);
            during = anchoring();
        } finally {
            over.set(true);
            pool.shutdown();
            pool.awaitTermination(2, TimeUnit.MINUTES);
            platform.startChain();
        }
        long back = System.nanoTime();
        assertThat(refused).as("writes refused while the chain was down").isEmpty();
        assertThat(during.path("lastAnchor").path("id").asLong()).as("nothing anchored while the node was down").isEqualTo(lastAnchorBefore);
        assertThat(during.path("oldestPendingSeconds").asLong()).isGreaterThanOrEqualTo(outageSeconds - 10);

        // the patients' chains stopped growing with the writers: their heads now are the heads written during the outage
        Map<String, Long> heads = new LinkedHashMap<>();
        for (Person p : PEOPLE) {
            JsonNode verified = Calls.json(calls.api("GET", "/ledger/patients/" + p.pseudonym() + "/verify", platform.serviceToken(), null));
            heads.put(p.pseudonym(), verified.path("blocks").asLong() - 1); // heights count from 0
        }
        Set<String> transactions = new TreeSet<>();
        await("every head written during the outage anchored").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    transactions.clear();
                    for (Map.Entry<String, Long> head : heads.entrySet()) {
                        OnChain.HeadAnchor last = OnChain.headAnchors(platform, head.getKey()).stream()
                                .filter(a -> a.height() == head.getValue()).findFirst().orElse(null);
                        if (last == null) {
                            return false;
                        }
                        transactions.add(last.transactionHash());
                    }
                    return true;
                });
        double anchoredSeconds = (System.nanoTime() - back) / 1e9;
        // one anchoring round: one anchor carries every waiting head (20 chains, at most 400 heads per anchor) ...
        assertThat(transactions).as("the anchors that registered the heads written during the outage").hasSize(1);
        // ... sent within the interval (2 s) after the node answers, its receipt in the next blocks (1 s each)
        assertThat(anchoredSeconds).isLessThan(30);
        awaitAllAnchored(Duration.ofMinutes(2));
        long anchorsAfter = anchoring().path("lastAnchor").path("id").asLong() - lastAnchorBefore;
        int anchors = OnChain.assertEveryAnchorRegisteredOnce(platform);
        for (Person p : PEOPLE) {
            assertEachHeadAnchoredOnceAndTheExportVerifies(p, null);
        }
        System.out.printf("RELIABILITY chainOutage outageSeconds=%d accepted=%d refused=%d pendingBlocksAtEnd=%d oldestPendingSeconds=%d "
                        + "anchorsAfterReturn=%d (the audit chain goes on growing) headsAnchoredSecondsAfterReturn=%.1f anchorsOnChain=%d%n", outageSeconds, accepted.get(), refused.size(),
                during.path("pendingBlocks").asLong(), during.path("oldestPendingSeconds").asLong(), anchorsAfter, anchoredSeconds, anchors);
    }

    /**
     * Resources changed directly in the database (H2; the server stopped, as the file is its own while it runs): every
     * one is reported by the verify API and by the standalone verifier on the patient's export and record, and the
     * patients whose records were left alone still verify.
     */
    @Test
    @Order(3)
    void everyResourceChangedDirectlyInTheDatabaseIsDetected() throws Exception {
        String token = platform.serviceToken();
        Map<Integer, String> changed = new LinkedHashMap<>(); // patient -> the Observation changed
        for (Ack ack : ACKNOWLEDGED) {
            if (ack.patient() % 2 == 0) {
                changed.putIfAbsent(ack.patient(), ack.observationId());
            }
        }
        assertThat(changed).hasSize(PATIENTS / 2);
        Map<String, String> forged = new LinkedHashMap<>();
        for (String id : changed.values()) {
            ObjectNode observation = (ObjectNode) Calls.json(calls.fhir("GET", "/Observation/" + id, token, null));
            observation.remove("meta");
            ((ObjectNode) observation.path("valueQuantity")).put("value", 250);
            forged.put(id, observation.toString());
        }
        platform.killServer();
        try (Connection c = DriverManager.getConnection(platform.databaseUrl(), "sa", "");
             PreparedStatement update = c.prepareStatement("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ?, RES_TEXT = NULL, RES_ENCODING = 'JSON' "
                     + "WHERE RES_VER = 1 AND RES_ID = (SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Observation' AND FHIR_ID = ?)")) {
            for (Map.Entry<String, String> f : forged.entrySet()) {
                update.setString(1, f.getValue());
                update.setString(2, f.getKey());
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
        }
        platform.startServer();

        int byApi = 0;
        int byVerifier = 0;
        for (int p = 0; p < PATIENTS; p++) {
            Person person = PEOPLE.get(p);
            JsonNode verified = Calls.json(calls.api("GET", "/ledger/patients/" + person.pseudonym() + "/verify", token, null));
            HttpResponse<String> everything = calls.fhir("GET", "/Patient/" + person.id() + "/$everything?_count=1000", token, null);
            assertThat(everything.statusCode()).as(everything.body()).isEqualTo(200);
            OnChain.Verified offline = OnChain.verify(platform, calls.api("GET", "/ledger/patients/" + person.pseudonym() + "/export",
                    token, null).body(), calls.api("GET", "/identity/institutions/keys", null, null).body(), everything.body());
            if (changed.containsKey(p)) {
                String observation = "Observation/" + changed.get(p);
                assertThat(verified.path("valid").asBoolean()).as(verified.toString()).isFalse();
                assertThat(verified.path("chainProblems")).isEmpty();
                assertThat(verified.path("tamperedResources").toString())
                        .isEqualTo("[\"" + observation + ": content does not match its chain entry\"]");
                byApi++;
                assertThat(offline.status()).as(offline.report().toString()).isEqualTo(1);
                assertThat(offline.report().toString()).contains(changed.get(p));
                byVerifier++;
            } else {
                assertThat(verified.path("valid").asBoolean()).as(verified.toString()).isTrue();
                assertThat(offline.status()).as(offline.report().toString()).isZero();
            }
        }
        System.out.printf("RELIABILITY tamper database=H2 changed=%d detectedByApi=%d detectedByStandaloneVerifier=%d untouchedPatientsValid=%d%n",
                changed.size(), byApi, byVerifier, PATIENTS - changed.size());
    }

    /**
     * Keycloak stopped: tokens issued before keep working (reads and writes), a new login fails, and the portal's
     * sign-in says that the sign-in service cannot be reached; a request without a valid token writes nothing; after
     * Keycloak is back, logins work again.
     */
    @Test
    @Order(4)
    void withKeycloakStoppedIssuedTokensKeepWorkingAndNewLoginsFailClearly() throws Exception {
        Person person = PEOPLE.get(1);
        // the server's cached JWK Set (5 min) is at least 35 s old when Keycloak stops, so that it expires during the
        // outage below while the token, issued just before the outage, is still valid (Keycloak: 300 s)
        assertThat(calls.fhir("GET", "/Patient/" + person.id(), platform.serviceToken(), null).statusCode()).isEqualTo(200);
        Thread.sleep(35_000);
        String token = platform.serviceToken();
        long issued = System.nanoTime();
        platform.stopKeycloak();
        int writes = 0;
        long outage = Long.getLong("phr.reliability.keycloak.outage.seconds", 270);
        try {
            assertThat(calls.fhir("GET", "/Patient/" + person.id(), token, null).statusCode()).isEqualTo(200);
            for (int i = 0; i < 5; i++) {
                assertThat(write(token, person.id(), 70 + i, "rel-kc-" + UUID.randomUUID()).statusCode()).isEqualTo(201);
                writes++;
            }
            assertThatThrownBy(() -> platform.userToken(Platform.extraPatient(2))).as("a new login").isInstanceOf(IOException.class);

            HttpResponse<String> signIn = HTTP.send(HttpRequest.newBuilder(URI.create(platform.portalUrl() + "/")).timeout(Duration.ofSeconds(30))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            System.out.printf("RELIABILITY keycloakDown portalStatus=%d portalBody=%s%n", signIn.statusCode(),
                    signIn.body().replaceAll("\\s+", " ").substring(0, Math.min(300, signIn.body().length())));
            assertThat(signIn.statusCode()).isEqualTo(503);
            assertThat(signIn.headers().firstValue("Retry-After")).hasValue("60");
            assertThat(signIn.body()).contains("<h1>Signing in is not possible right now</h1>")
                    .contains("The sign-in service cannot be reached at the moment. Nothing was changed.");

            long before = observationsOf(token, person);
            HttpResponse<String> forgedToken = write("not-a-token", person.id(), 99, "rel-kc-" + UUID.randomUUID());
            assertThat(forgedToken.statusCode()).isEqualTo(401);
            assertThat(observationsOf(token, person)).as("nothing written by a refused request").isEqualTo(before);

            // late in the token's life, after the server's JWK Set cache has expired: still accepted
            while (System.nanoTime() - issued < outage * 1_000_000_000L) {
                Thread.sleep(1000);
            }
            assertThat(write(token, person.id(), 76, "rel-kc-" + UUID.randomUUID()).statusCode())
                    .as("a token issued %d s before, Keycloak down all that time", outage).isEqualTo(201);
            writes++;
        } finally {
            platform.startKeycloakAgain();
        }
        assertThat(platform.userToken(Platform.extraPatient(2))).as("logins work again").isNotBlank();
        HttpResponse<String> signInAgain = HTTP.send(HttpRequest.newBuilder(URI.create(platform.portalUrl() + "/")).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signInAgain.statusCode()).as("the portal sends the browser to Keycloak's login again").isEqualTo(302);
        assertThat(signInAgain.headers().firstValue("Location").orElseThrow()).startsWith(platform.realm().issuer() + "/protocol/openid-connect/auth");
        System.out.printf("RELIABILITY keycloakDown outageSeconds=%d writesWithIssuedToken=%d (the last %d s after the token was issued) "
                + "newLogin=refused%n", outage, writes, outage);
    }

    /**
     * PostgreSQL stopped under a running server (a replica of its own, as production runs it): FHIR answers 503 with an
     * OperationOutcome, the JSON APIs 503 PHR-API-0503, both with {@code Retry-After}; the write refused meanwhile left
     * nothing; once PostgreSQL is back the same server serves again without a restart, and the patient's chain verifies.
     */
    @Test
    @Order(5)
    void withTheDatabaseUnreachableRequestsFailCleanlyAndTheServerRecoversWithoutARestart() throws Exception {
        postgresReplica = ReplicaServers.start(platform, "database-loss", "north-clinic", platform.realm().issuer(), null,
                false, Integer.getInteger("phr.it.replica1.portbase", 30000));
        ReplicaServers servers = postgresReplica;
        ReplicaServers.Replica replica = servers.replicas().get(0);
        String token = platform.serviceToken();
        String patientId = Calls.json(ReplicaServers.call(replica.fhirBase() + "/Patient", "POST", token, "{\"resourceType\":\"Patient\","
                + "\"identifier\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"REL-DB-" + UUID.randomUUID() + "\"}],"
                + "\"name\":[{\"family\":\"" + PEOPLE.get(0).family() + "\"}],\"birthDate\":\"" + PEOPLE.get(0).birthDate() + "\"}"))
                .path("id").asText();
        postgresObservation = Calls.json(ReplicaServers.call(replica.fhirBase() + "/Observation", "POST", token, observation(patientId, 61)))
                .path("id").asText();
        postgresPatient = patientId;

        servers.stopDatabase();
        long down = System.nanoTime();
        HttpResponse<String> read = ReplicaServers.call(replica.fhirBase() + "/Patient/" + patientId, "GET", token, null);
        HttpResponse<String> written = ReplicaServers.call(replica.fhirBase() + "/Observation", "POST", token, observation(patientId, 62));
        HttpResponse<String> api = ReplicaServers.call(replica.apiBase() + "/identity/patients?patientId=" + patientId, "GET", token, null);
        System.out.printf("RELIABILITY databaseDown fhirRead=%d fhirWrite=%d api=%d%n", read.statusCode(), written.statusCode(), api.statusCode());
        for (HttpResponse<String> fhir : List.of(read, written)) {
            assertThat(fhir.statusCode()).as(fhir.body()).isEqualTo(503);
            assertThat(fhir.headers().firstValue("Retry-After")).hasValue("5");
            JsonNode outcome = Calls.json(fhir);
            assertThat(outcome.path("resourceType").asText()).isEqualTo("OperationOutcome");
            assertThat(outcome.path("issue").get(0).path("code").asText()).isEqualTo("transient");
            assertThat(outcome.path("issue").get(0).path("diagnostics").asText()).startsWith("PHR-FHIR-0503: The database cannot be reached");
        }
        assertThat(api.statusCode()).as(api.body()).isEqualTo(503);
        assertThat(api.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(Calls.json(api).path("code").asText()).isEqualTo("PHR-API-0503");
        // the outage goes on: a read and a write every second, each answered 503
        long outage = Long.getLong("phr.reliability.database.outage.seconds", 30);
        int refused = 0;
        while (System.nanoTime() - down < outage * 1_000_000_000L) {
            for (HttpResponse<String> r : List.of(ReplicaServers.call(replica.fhirBase() + "/Patient/" + patientId, "GET", token, null),
                    ReplicaServers.call(replica.fhirBase() + "/Observation", "POST", token, observation(patientId, 64)))) {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                refused++;
            }
            Thread.sleep(1000);
        }

        servers.startDatabase();
        long back = System.nanoTime();
        await("the server serving again, without a restart").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> ReplicaServers.call(replica.fhirBase() + "/Patient/" + patientId, "GET", token, null).statusCode() == 200);
        double recoveredSeconds = (System.nanoTime() - back) / 1e9;
        double downSeconds = (back - down) / 1e9;
        JsonNode observations = Calls.json(ReplicaServers.call(replica.fhirBase() + "/Observation?subject=Patient/" + patientId, "GET", token, null));
        assertThat(observations.path("entry")).as("the write refused while the database was down left nothing").hasSize(1);
        assertThat(ReplicaServers.call(replica.fhirBase() + "/Observation", "POST", token, observation(patientId, 63)).statusCode()).isEqualTo(201);
        String pseudonym = Calls.json(ReplicaServers.call(replica.apiBase() + "/identity/patients?patientId=" + patientId, "GET", token, null))
                .path("pseudonym").asText();
        JsonNode verified = Calls.json(ReplicaServers.call(replica.apiBase() + "/ledger/patients/" + pseudonym + "/verify", "GET", token, null));
        assertThat(verified.path("valid").asBoolean()).as(verified.toString()).isTrue();
        assertThat(verified.path("blocks").asInt()).as("the Patient and two Observations").isEqualTo(3);
        System.out.printf("RELIABILITY databaseDown database=PostgreSQL downSeconds=%.1f answered503=%d servingAgainSecondsAfterItReturned=%.1f "
                + "writesHalfDone=0 chainValid=%s%n", downSeconds, refused + 3, recoveredSeconds, verified.path("valid").asBoolean());
    }

    /**
     * A resource changed directly in PostgreSQL (the replica of the database test, running): found by the verify API and
     * by the standalone verifier on the patient's export and record.
     */
    @Test
    @Order(6)
    void aResourceChangedDirectlyInPostgresqlIsDetected() throws Exception {
        assertThat(postgresReplica).as("the database test's replica").isNotNull();
        ReplicaServers.Replica replica = postgresReplica.replicas().get(0);
        String token = platform.serviceToken();
        ObjectNode forged = (ObjectNode) Calls.json(ReplicaServers.call(replica.fhirBase() + "/Observation/" + postgresObservation, "GET", token, null));
        forged.remove("meta");
        ((ObjectNode) forged.path("valueQuantity")).put("value", 250);
        try (Connection c = postgresReplica.database().getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ?, RES_TEXT = NULL, RES_ENCODING = 'JSON' "
                     + "WHERE RES_VER = 1 AND RES_ID = (SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Observation' AND FHIR_ID = ?)")) {
            update.setString(1, forged.toString());
            update.setString(2, postgresObservation);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        String pseudonym = Calls.json(ReplicaServers.call(replica.apiBase() + "/identity/patients?patientId=" + postgresPatient, "GET", token, null))
                .path("pseudonym").asText();
        JsonNode verified = Calls.json(ReplicaServers.call(replica.apiBase() + "/ledger/patients/" + pseudonym + "/verify", "GET", token, null));
        assertThat(verified.path("valid").asBoolean()).as(verified.toString()).isFalse();
        assertThat(verified.path("tamperedResources").toString())
                .isEqualTo("[\"Observation/" + postgresObservation + ": content does not match its chain entry\"]");
        HttpResponse<String> everything = ReplicaServers.call(replica.fhirBase() + "/Patient/" + postgresPatient + "/$everything", "GET", token, null);
        assertThat(everything.statusCode()).as(everything.body()).isEqualTo(200);
        OnChain.Verified offline = OnChain.verify(platform, ReplicaServers.call(replica.apiBase() + "/ledger/patients/" + pseudonym + "/export",
                "GET", token, null).body(), ReplicaServers.call(replica.apiBase() + "/identity/institutions/keys", "GET", token, null).body(),
                everything.body());
        assertThat(offline.status()).as(offline.report().toString()).isEqualTo(1);
        assertThat(offline.report().toString()).contains("Observation/" + postgresObservation + ": content does not match its chain entry");
        System.out.printf("RELIABILITY tamper database=PostgreSQL changed=1 detectedByApi=1 detectedByStandaloneVerifier=1%n");
    }

    @AfterAll
    static void stopTheReplica() {
        if (postgresReplica != null) {
            postgresReplica.close();
        }
    }

    /** After the battery, none of its patients' names, identifiers, birth dates or addresses is in any log file. */
    @Test
    @Order(7)
    void noPhiOfThePatientsInAnyLog() throws Exception {
        List<Path> logs = new ArrayList<>();
        // the fixture's logs (Keycloak, anvil, provisioning, restarts), the replicas' Payara logs, the test server's
        for (Path dir : List.of(platform.workDir(), platform.serverDomain().resolve("logs"))) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().matches(".*\\.log(_.*|\\.\\d+)?")).forEach(logs::add);
            }
        }
        long bytes = 0;
        List<String> found = new ArrayList<>();
        for (Path log : logs) {
            String text = new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1);
            bytes += text.length();
            for (Person p : PEOPLE) {
                for (String phi : p.phi()) {
                    if (text.contains(phi)) {
                        found.add(phi + " in " + log);
                    }
                }
            }
        }
        assertThat(logs).isNotEmpty();
        assertThat(found).as("PHI in the logs").isEmpty();
        System.out.printf("RELIABILITY phiInLogs files=%d bytes=%d valuesSearched=%d found=%d%n", logs.size(), bytes,
                PEOPLE.size() * PEOPLE.get(0).phi().size(), found.size());
    }

    private static void assertEachHeadAnchoredOnceAndTheExportVerifies(Person person, String bundle) throws Exception {
        List<Long> heights = OnChain.headHeights(platform, person.pseudonym());
        assertThat(heights).as(person.pseudonym()).isNotEmpty().isSorted().doesNotHaveDuplicates();
        String token = platform.serviceToken();
        OnChain.Verified verified = OnChain.verify(platform, calls.api("GET", "/ledger/patients/" + person.pseudonym() + "/export", token, null).body(),
                calls.api("GET", "/identity/institutions/keys", null, null).body(), bundle);
        assertThat(verified.status()).as(verified.report().toString()).isZero();
        assertThat(verified.report().path("anchoredHeight").asLong()).isEqualTo(heights.get(heights.size() - 1));
    }

    private static long observationsOf(String token, Person person) throws Exception {
        return Calls.json(calls.fhir("GET", "/Observation?subject=Patient/" + person.id() + "&_summary=count", token, null)).path("total").asLong();
    }

    private static HttpResponse<String> write(String token, String patientId, int value, String requestId) throws Exception {
        return calls.fhir("POST", "/Observation", token, observation(patientId, value), requestId);
    }

    /** A heart rate of the patient, FHIR JSON. */
    private static String observation(String patientId, int value) {
        return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
                + "\"http://loinc.org\",\"code\":\"8867-4\"}]},\"subject\":{\"reference\":\"Patient/" + patientId + "\"},\"valueQuantity\":{\"value\":"
                + value + ",\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}";
    }

    private static JsonNode anchoring() throws Exception {
        HttpResponse<String> r = calls.api("GET", "/ledger/anchoring", platform.serviceToken(), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Calls.json(r);
    }

    private static void awaitAllAnchored(Duration atMost) {
        await("everything anchored").atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode status = anchoring();
            return status.path("pendingBlocks").asLong() == 0 && status.path("inFlight").isNull();
        });
    }

    /** A made-up name: capitalised random letters, not a word any log line holds. */
    private static String word(Random random, int length) {
        StringBuilder w = new StringBuilder().append((char) ('A' + random.nextInt(26)));
        for (int i = 1; i < length; i++) {
            w.append((char) ('a' + random.nextInt(26)));
        }
        return w.toString();
    }
}
