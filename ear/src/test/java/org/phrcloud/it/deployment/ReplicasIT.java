package org.phrcloud.it.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;
import org.phrcloud.it.support.ReplicaServers;
import org.phrcloud.it.support.ReplicaServers.Replica;
import org.phrcloud.ledger.anchor.DevChain;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas of the server on one PostgreSQL (Issue 21, part 1), on the real stack: two Payara Server domains with
 * the EAR, a real PostgreSQL, Keycloak and anvil. FHIR writes go to both at once; the replica holding the anchoring
 * lease is killed ({@code kill -9}) with an anchor in flight. Afterwards every block is anchored exactly once (the
 * anchoring account's nonce on chain equals the anchors recorded, every receipt succeeded, no nonce twice), every
 * chain verifies, the survivor anchored within the bound of the lease (30 s) plus two anchoring intervals and the
 * receipt wait, and every acknowledged write reads back from either replica.
 */
@ExtendWith(PlatformExtension.class)
class ReplicasIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The lease's time to live (LedgerConfig.ANCHORING_LEASE), two anchoring intervals of 2 s, and 10 s for the round itself. */
    private static final Duration TAKE_OVER_BOUND = Duration.ofSeconds(30 + 4 + 10);

    private static Platform platform;
    private static ReplicaServers servers;
    private static long sentBefore;

    @BeforeAll
    static void twoReplicas() throws Exception {
        platform = PlatformExtension.platform();
        servers = ReplicaServers.start(platform, "north-clinic",
                Integer.getInteger("phr.it.replica1.portbase", 30000), Integer.getInteger("phr.it.replica2.portbase", 30200));
        // the anchoring account's transactions before the first write (another test may have used it, and the replicas
        // published their institution's keys with it before start() returned); from here on it sends anchors only
        sentBefore = Long.decode(platform.rpc("eth_getTransactionCount", "[\"" + DevChain.address(DevChain.OTHER_INSTITUTION_KEY)
                + "\", \"latest\"]").asText());
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    void concurrentWritesToBothAndTheAnchoringReplicaKilledMidRoundLeaveEveryBlockAnchoredOnceAndEveryWriteReadable() throws Exception {
        String token = platform.serviceToken();
        Replica first = servers.replicas().get(0);
        Replica second = servers.replicas().get(1);
        List<String> patients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Replica r = i % 2 == 0 ? first : second;
            HttpResponse<String> created = send(r.fhirBase() + "/Patient", "POST", token, "{\"resourceType\":\"Patient\",\"identifier\":[{"
                    + "\"system\":\"urn:oid:2.16.840.1.113883.4.1\",\"value\":\"REPLICA-" + UUID.randomUUID() + "\"}],"
                    + "\"name\":[{\"family\":\"Replica\",\"given\":[\"P" + i + "\"]}],\"gender\":\"female\",\"birthDate\":\"1980-01-0" + (i + 1) + "\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            patients.add(JSON.readTree(created.body()).path("id").asText());
        }

        // writes to both replicas at once: one writer per replica
        Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
        ExecutorService writers = Executors.newFixedThreadPool(2);
        List<Future<?>> rounds = new ArrayList<>();
        for (Replica r : List.of(first, second)) {
            rounds.add(writers.submit(() -> {
                for (int i = 0; i < 12; i++) {
                    acknowledged.add(observation(r, token, patients.get(i % patients.size()), 60 + i));
                }
                return null;
            }));
        }
        for (Future<?> f : rounds) {
            f.get();
        }
        writers.shutdown();
        assertThat(acknowledged).hasSize(24);

        // an anchor in flight (the node takes the transaction and mines nothing), then its sender is killed
        platform.rpc("evm_setIntervalMining", "[0]");
        Replica victim;
        Instant killedAt;
        try {
            acknowledged.add(observation(first, token, patients.get(0), 99));
            acknowledged.add(observation(second, token, patients.get(1), 98));
            await("an anchor in flight").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> anchoring(first, token).path("inFlight").isObject());
            victim = servers.holder(leaseHolder());
            assertThat(victim).as("the lease holder is a replica: " + leaseHolder()).isNotNull();
            servers.kill(victim);
            killedAt = Instant.now();
        } finally {
            platform.rpc("evm_setIntervalMining", "[1]");
        }
        Replica survivor = victim == first ? second : first;
        for (int i = 0; i < 4; i++) { // writes go on at the survivor
            acknowledged.add(observation(survivor, token, patients.get(i), 70 + i));
        }
        await("the survivor anchors everything").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> anchoring(survivor, token).path("pendingBlocks").asLong() == 0
                        && anchoring(survivor, token).path("inFlight").isNull());
        Instant firstAnchorAfterKill = firstAnchorRecordedAfter(killedAt);
        Duration takeOver = Duration.between(killedAt, firstAnchorAfterKill);
        System.out.println("REPLICAS take-over: the survivor recorded its first anchor " + takeOver.toMillis() + " ms after the kill (bound "
                + TAKE_OVER_BOUND.toSeconds() + " s); writes acknowledged: " + acknowledged.size());
        assertThat(takeOver).isLessThan(TAKE_OVER_BOUND);
        assertThat(servers.holder(leaseHolder())).isEqualTo(survivor);

        // exactly once: every anchor recorded was sent once, with its own nonce, and succeeded
        List<String> txHashes = new ArrayList<>();
        long anchors;
        try (Connection c = servers.database().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT nonce), SUM(CASE WHEN status = 'CONFIRMED' THEN 1 ELSE 0 END), "
                    + "MIN(nonce), MAX(nonce) FROM ledger_anchor")) {
                r.next();
                anchors = r.getLong(1);
                assertThat(r.getLong(2)).as("distinct nonces").isEqualTo(anchors);
                assertThat(r.getLong(3)).as("confirmed anchors").isEqualTo(anchors);
                assertThat(r.getLong(4)).as("the first nonce").isEqualTo(sentBefore);
                assertThat(r.getLong(5)).as("the last nonce").isEqualTo(sentBefore + anchors - 1);
            }
            try (ResultSet r = s.executeQuery("SELECT tx_hash FROM ledger_anchor ORDER BY id")) {
                while (r.next()) {
                    txHashes.add(r.getString(1));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM ledger_outbox WHERE anchored_at IS NULL")) {
                r.next();
                assertThat(r.getLong(1)).as("blocks not anchored").isZero();
            }
        }
        JsonNode sentOnChain = platform.rpc("eth_getTransactionCount", "[\"" + DevChain.address(DevChain.OTHER_INSTITUTION_KEY) + "\", \"latest\"]");
        assertThat(Long.decode(sentOnChain.asText()) - sentBefore).as("transactions the anchoring account sent").isEqualTo(anchors);
        for (String tx : txHashes) {
            assertThat(platform.rpc("eth_getTransactionReceipt", "[\"" + tx + "\"]").path("status").asText()).as(tx).isEqualTo("0x1");
        }
        System.out.println("REPLICAS anchors: " + anchors + " for " + acknowledged.size() + " writes to 2 replicas, each sent once");

        // every chain verifies
        for (String patient : patients) {
            String pseudonym = JSON.readTree(send(survivor.apiBase() + "/identity/patients?patientId=" + patient, "GET", token, null).body())
                    .path("pseudonym").asText();
            JsonNode verified = JSON.readTree(send(survivor.apiBase() + "/ledger/patients/" + pseudonym + "/verify", "GET", token, null).body());
            assertThat(verified.path("valid").asBoolean()).as(verified.toString()).isTrue();
        }

        // the killed replica comes back; every acknowledged write reads back from either replica
        servers.start(victim);
        for (String id : acknowledged) {
            for (Replica r : List.of(first, second)) {
                assertThat(send(r.fhirBase() + "/Observation/" + id, "GET", token, null).statusCode()).as(r.name() + " Observation/" + id).isEqualTo(200);
            }
        }
    }

    private static String observation(Replica r, String token, String patient, int value) throws Exception {
        HttpResponse<String> created = send(r.fhirBase() + "/Observation", "POST", token, "{\"resourceType\":\"Observation\",\"status\":\"final\","
                + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\",\"display\":\"Heart rate\"}]},"
                + "\"subject\":{\"reference\":\"Patient/" + patient + "\"},\"effectiveDateTime\":\"2026-12-01T08:00:00Z\","
                + "\"valueQuantity\":{\"value\":" + value + ",\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}");
        assertThat(created.statusCode()).as(r.name() + ": " + created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("id").asText();
    }

    private static JsonNode anchoring(Replica r, String token) throws Exception {
        return JSON.readTree(send(r.apiBase() + "/ledger/anchoring", "GET", token, null).body());
    }

    private static String leaseHolder() throws Exception {
        try (Connection c = servers.database().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT holder FROM phr_lease WHERE name = 'anchoring'")) {
            return r.next() ? r.getString(1) : "";
        }
    }

    private static Instant firstAnchorRecordedAfter(Instant t) throws Exception {
        try (Connection c = servers.database().getConnection();
             var s = c.prepareStatement("SELECT MIN(created_at) FROM ledger_anchor WHERE created_at > ?")) {
            s.setTimestamp(1, Timestamp.from(t));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                assertThat(r.getTimestamp(1)).as("an anchor recorded after the kill").isNotNull();
                return r.getTimestamp(1).toInstant();
            }
        }
    }

    private static HttpResponse<String> send(String url, String method, String token, String body) throws Exception {
        return ReplicaServers.call(url, method, token, body);
    }
}
