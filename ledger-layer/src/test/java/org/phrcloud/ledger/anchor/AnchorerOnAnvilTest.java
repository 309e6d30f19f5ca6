package org.phrcloud.ledger.anchor;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.anchor.contracts.ConsentRegistry;
import org.phrcloud.ledger.anchor.contracts.PatientRegistry;
import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;
import org.phrcloud.ledger.merkle.MerkleTree;
import org.phrcloud.ledger.store.JdbcChainStore;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The anchoring service against a real anvil node and a real (H2) ledger: one transaction per round over all
 * changed chain heads, nothing lost while the chain is down, nothing anchored twice after a crash.
 */
class AnchorerOnAnvilTest {
    @TempDir
    Path tmp;

    private int port;
    private AnvilNode anvil;
    private Web3j web3j;
    private JdbcDataSource db;
    private JdbcChainStore chains;
    private AnchorRegistry registry;
    private PatientRegistry patients;

    @BeforeEach
    void setUp() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        anvil = AnvilNode.start(port, tmp.resolve("state.json"));
        web3j = Web3j.build(new HttpService(anvil.url()));
        db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:anchor-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JdbcChainStore.migrate(db);
        chains = new JdbcChainStore(db, outboxClock);
        registry = AnchorRegistry.deploy(web3j, new RawTransactionManager(web3j, Credentials.create(DevChain.OPERATOR_KEY),
                DevChain.CHAIN_ID, new PollingTransactionReceiptProcessor(web3j, 100, 300)), new DefaultGasProvider()).send();
        registry.setInstitution(Credentials.create(DevChain.INSTITUTION_KEY).getAddress(), "https://st-mary.example/").send();
        patients = PatientRegistry.load(registry.patientRegistry().send(), web3j, Credentials.create(DevChain.OPERATOR_KEY),
                new DefaultGasProvider());
    }

    @AfterEach
    void tearDown() throws Exception {
        web3j.shutdown();
        anvil.close();
    }

    /** The institution's anchoring account is anvil's account 1; account 0 is the network operator. */
    private Anchorer anchorer() {
        return anchorer(Anchorer.DEFAULT_MAX_HEADS);
    }

    private Anchorer anchorer(int maxHeads) {
        return new Anchorer(db, web3j, Credentials.create(DevChain.INSTITUTION_KEY), DevChain.CHAIN_ID, registry.getContractAddress(),
                Clock.systemUTC(), Duration.ofSeconds(10), maxHeads);
    }

    /** The chain store's clock (block and outbox times), moved by the test. */
    private final SteppedClock outboxClock = new SteppedClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));

    private Block append(String pseudonymSeed, String id) {
        String pseudonym = pseudonymSeed.repeat(64).substring(0, 64);
        return chains.append(pseudonym, "k1", "dr", List.of(new Entry("Observation", id, "1", Operation.CREATE, new byte[32])),
                (keyId, hash) -> new byte[64]);
    }

    private long anchorsOnChain() throws Exception {
        return registry.count().send().longValueExact();
    }

    @Test
    void consentStatesRideWithTheAnchorOfTheirChainAndTheRegistryKeepsTheNewest() throws Exception {
        ConsentRegistry consents = ConsentRegistry.load(registry.consentRegistry().send(), web3j, Credentials.create(DevChain.OPERATOR_KEY),
                new DefaultGasProvider());
        String pseudonym = "d".repeat(64);
        String key = RegistryConsent.key("st-mary", "c-1");
        long expiry = java.time.Instant.now().plus(Duration.ofDays(30)).getEpochSecond();
        RegistryConsent asked = new RegistryConsent(key, pseudonym, RegistryConsent.sha256Hex("person:dr"),
                RegistryConsent.sha256Hex("{\"level\":\"full\"}"), RegistryConsent.PENDING, expiry, 1);
        RegistryConsent approved = new RegistryConsent(key, pseudonym, asked.grantee(), asked.scope(), RegistryConsent.ACTIVE, expiry, 2);
        append("d", "1");
        try (var c = db.getConnection()) {
            asked.enqueue(c, java.time.Instant.now());
            approved.enqueue(c, java.time.Instant.now());
        }
        append("e", "2"); // a chain without consents in the same anchor

        assertThat(anchorer().runOnce().outcome()).isEqualTo(Anchorer.Outcome.CONFIRMED);
        assertThat(anchorsOnChain()).isEqualTo(1);
        var onChain = consents.consent(HexFormat.of().parseHex(key)).send();
        assertThat(HexFormat.of().formatHex(onChain.component1())).isEqualTo(pseudonym);
        assertThat(HexFormat.of().formatHex(onChain.component2())).isEqualTo(asked.grantee());
        assertThat(onChain.component4()).as("both states in order: the newest stays").isEqualTo(BigInteger.TWO);
        assertThat(onChain.component5()).isEqualTo(BigInteger.valueOf(expiry));
        assertThat(onChain.component7()).isEqualToIgnoringCase(Credentials.create(DevChain.INSTITUTION_KEY).getAddress());
        assertThat(consents.inForce(HexFormat.of().parseHex(key)).send()).isTrue();
        assertThat(anchorer().runOnce().outcome()).as("nothing twice").isEqualTo(Anchorer.Outcome.NOTHING_PENDING);

        append("d", "3");
        try (var c = db.getConnection()) {
            new RegistryConsent(key, pseudonym, asked.grantee(), asked.scope(), RegistryConsent.REVOKED, expiry, 3).enqueue(c, java.time.Instant.now());
            asked.enqueue(c, java.time.Instant.now()); // an old state sent again changes nothing
        }
        assertThat(anchorer().runOnce().outcome()).isEqualTo(Anchorer.Outcome.CONFIRMED);
        assertThat(consents.consent(HexFormat.of().parseHex(key)).send().component4()).isEqualTo(BigInteger.valueOf(RegistryConsent.REVOKED));
        assertThat(consents.inForce(HexFormat.of().parseHex(key)).send()).isFalse();
        try (var c = db.getConnection(); var r = c.createStatement().executeQuery(
                "SELECT COUNT(*) FROM ledger_consent_outbox WHERE anchored_at IS NULL")) {
            r.next();
            assertThat(r.getInt(1)).isZero();
        }
    }

    @Test
    void oneTransactionAnchorsEveryChangedChainHeadAndNothingTwice() throws Exception {
        append("a", "1");
        Block headA = append("a", "2");
        Block headB = append("b", "3");
        Block headC = append("c", "4");

        Anchorer.Result result = anchorer().runOnce();

        assertThat(result.outcome()).isEqualTo(Anchorer.Outcome.CONFIRMED);
        assertThat(result.leaves()).isEqualTo(3);
        assertThat(anchorsOnChain()).isEqualTo(1);
        byte[] expected = new MerkleTree(List.of(headA, headB, headC).stream()
                .map(b -> new AnchorLeaf(b.pseudonym(), b.height(), b.hash()).bytes()).toList()).root();
        var checkpoint = registry.checkpoint(BigInteger.ZERO).send();
        assertThat(checkpoint.component1()).isEqualTo(expected);
        assertThat(checkpoint.component2()).isEqualTo(BigInteger.valueOf(3));
        assertThat(chains.pendingAnchors()).isZero();
        var home = patients.lookup(HexFormat.of().parseHex(headA.pseudonym())).send(); // the same transaction registered the heads
        assertThat(home.component1()).isEqualTo("https://st-mary.example/");
        assertThat(home.component2()).isEqualTo(headA.hash());
        assertThat(home.component3()).isEqualTo(BigInteger.ONE);

        assertThat(anchorer().runOnce().outcome()).isEqualTo(Anchorer.Outcome.NOTHING_PENDING);
        assertThat(anchorsOnChain()).isEqualTo(1);

        ResourceProofs proofs = new ResourceProofs(db, chains);
        ResourceProof older = proofs.proof("Observation", "1", null).orElseThrow(); // block 0 of a, anchored through head 1
        assertThat(older.blocks()).hasSize(2);
        assertThat(older.verifyOffline()).isTrue();
        assertThat(older.anchor().root()).isEqualTo(checkpoint.component1());
        ResourceProof head = proofs.proof("Observation", "3", null).orElseThrow();
        assertThat(head.verifyOffline()).isTrue();
        ResourceProof forgedRoot = new ResourceProof(head.entry(), head.entryProof(), head.blocks(),
                new ResourceProof.Anchor(1, new byte[32], 3, 31337, "x", "x", 1), head.leafProof());
        assertThat(forgedRoot.verifyOffline()).isFalse();
        ResourceProof otherEntry = new ResourceProof(older.entry(), head.entryProof(), head.blocks(), head.anchor(), head.leafProof());
        assertThat(otherEntry.verifyOffline()).isFalse();
        assertThat(proofs.proof("Observation", "nope", null)).isEmpty();

        append("d", "5"); // not anchored yet: the proof stops at the block
        ResourceProof pending = proofs.proof("Observation", "5", null).orElseThrow();
        assertThat(pending.anchor()).isNull();
        assertThat(pending.verifyOffline()).isTrue();
    }

    @Test
    void writesGoOnWhileTheChainIsDownAndAreAnchoredAfterItComesBack() throws Exception {
        anvil.close();
        append("a", "1");
        append("b", "2");
        assertThat(anchorer().runOnce().outcome()).isEqualTo(Anchorer.Outcome.CHAIN_UNREACHABLE);
        append("a", "3");
        assertThat(chains.pendingAnchors()).isEqualTo(3);

        anvil = AnvilNode.start(port, tmp.resolve("state.json"));
        Anchorer.Result result = anchorer().runOnce();

        assertThat(result.outcome()).isEqualTo(Anchorer.Outcome.CONFIRMED);
        assertThat(result.leaves()).isEqualTo(2);
        assertThat(chains.pendingAnchors()).isZero();
        assertThat(anchorsOnChain()).isEqualTo(1);
    }

    @Test
    void aCrashBeforeOrAfterSendingAnchorsExactlyOnce() throws Exception {
        append("a", "1");
        Anchorer crashed = anchorer();
        crashed.prepare(); // recorded with its signed transaction, then the process died before sending

        Anchorer restarted = anchorer();
        assertThat(restarted.runOnce().outcome()).isEqualTo(Anchorer.Outcome.WAITING); // sent again, same hash
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> restarted.runOnce().outcome() == Anchorer.Outcome.CONFIRMED);
        assertThat(anchorsOnChain()).isEqualTo(1);

        append("b", "2");
        Anchorer crashedAfterSend = anchorer();
        crashedAfterSend.send(crashedAfterSend.prepare().orElseThrow()); // sent, then died before the receipt
        Anchorer afterRestart = anchorer();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> afterRestart.runOnce().outcome() == Anchorer.Outcome.CONFIRMED);
        assertThat(anchorer().runOnce().outcome()).isEqualTo(Anchorer.Outcome.NOTHING_PENDING);
        assertThat(anchorsOnChain()).isEqualTo(2);
        assertThat(chains.pendingAnchors()).isZero();
    }

    /**
     * Two replicas of the server on one PostgreSQL, both scheduling anchoring rounds while blocks are written: only
     * the lease holder anchors, every block is anchored exactly once, no transaction is refused for its nonce; the
     * holder dies, and the other takes over once the lease has run out.
     */
    @Test
    void twoReplicasOnOnePostgresAnchorEveryBlockOnceAndASurvivorTakesOver() throws Exception {
        try (io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start()) {
            javax.sql.DataSource pg = postgres.getPostgresDatabase();
            JdbcChainStore.migrate(pg);
            org.phrcloud.database.Lease.migrate(pg);
            JdbcChainStore pgChains = new JdbcChainStore(pg, outboxClock);
            SteppedClock leaseClock = new SteppedClock(java.time.Instant.parse("2026-12-07T10:00:00Z"));
            Duration ttl = Duration.ofSeconds(30);
            java.util.function.Function<String, Anchorer> replica = name -> new Anchorer(pg, web3j, Credentials.create(DevChain.INSTITUTION_KEY),
                    DevChain.CHAIN_ID, registry.getContractAddress(), Clock.systemUTC(), Duration.ofSeconds(10), Anchorer.DEFAULT_MAX_HEADS,
                    new org.phrcloud.database.Lease(pg, "anchoring", name, ttl, leaseClock));
            Anchorer a = replica.apply("replica-a");
            Anchorer b = replica.apply("replica-b");
            assertThat(a.runOnce().outcome()).isEqualTo(Anchorer.Outcome.NOTHING_PENDING); // a takes the lease first

            // both schedule rounds every 50 ms while 40 blocks are written to 10 chains
            java.util.Map<String, java.util.List<Anchorer.Outcome>> outcomes = new java.util.concurrent.ConcurrentHashMap<>();
            java.util.concurrent.atomic.AtomicBoolean aAlive = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.List<Thread> schedulers = new java.util.ArrayList<>();
            for (var r : java.util.Map.of("replica-a", a, "replica-b", b).entrySet()) {
                outcomes.put(r.getKey(), java.util.Collections.synchronizedList(new java.util.ArrayList<>()));
                Thread t = new Thread(() -> {
                    while (running.get() && (r.getValue() != a || aAlive.get())) {
                        outcomes.get(r.getKey()).add(r.getValue().runOnce().outcome());
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                t.start();
                schedulers.add(t);
            }
            for (int i = 0; i < 40; i++) {
                pgChains.append(Integer.toHexString(i % 10).repeat(64), "k1", "dr",
                        List.of(new Entry("Observation", "o" + i, "1", Operation.CREATE, new byte[32])), (keyId, hash) -> new byte[64]);
                Thread.sleep(25);
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> pgChains.pendingAnchors() == 0);
            long anchoredByA = anchorsOnChain();

            // a dies (its scheduler stops, as with kill -9); its lease is not renewed
            aAlive.set(false);
            schedulers.get(0).join(10_000);
            for (int i = 40; i < 45; i++) {
                pgChains.append(Integer.toHexString(i % 10).repeat(64), "k1", "dr",
                        List.of(new Entry("Observation", "o" + i, "1", Operation.CREATE, new byte[32])), (keyId, hash) -> new byte[64]);
            }
            Thread.sleep(500);
            assertThat(pgChains.pendingAnchors()).as("b waits while a's lease lasts").isEqualTo(5);
            leaseClock.advance(ttl.plusSeconds(1));
            await("b takes over").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> pgChains.pendingAnchors() == 0);
            running.set(false);
            for (Thread t : schedulers) {
                t.join(10_000);
            }

            assertThat(outcomes.get("replica-a")).doesNotContain(Anchorer.Outcome.FAILED, Anchorer.Outcome.STANDBY)
                    .contains(Anchorer.Outcome.CONFIRMED);
            List<Anchorer.Outcome> ofB = outcomes.get("replica-b");
            int firstActive = java.util.stream.IntStream.range(0, ofB.size()).filter(i -> ofB.get(i) != Anchorer.Outcome.STANDBY)
                    .findFirst().orElseThrow();
            assertThat(ofB.subList(0, firstActive)).as("b stood by while a held the lease").isNotEmpty()
                    .containsOnly(Anchorer.Outcome.STANDBY);
            assertThat(ofB).doesNotContain(Anchorer.Outcome.FAILED).contains(Anchorer.Outcome.CONFIRMED);
            // exactly once: every anchor on chain is a confirmed anchor of the database, each block is under one of them
            try (java.sql.Connection c = pg.getConnection(); java.sql.Statement st = c.createStatement()) {
                try (java.sql.ResultSet r = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT nonce), "
                        + "SUM(CASE WHEN status = 'CONFIRMED' THEN 1 ELSE 0 END) FROM ledger_anchor")) {
                    r.next();
                    assertThat(r.getLong(1)).as("anchors recorded").isEqualTo(anchorsOnChain()).isGreaterThan(anchoredByA - 1);
                    assertThat(r.getLong(2)).as("one nonce each").isEqualTo(r.getLong(1));
                    assertThat(r.getLong(3)).as("all confirmed").isEqualTo(r.getLong(1));
                }
                try (java.sql.ResultSet r = st.executeQuery("SELECT COUNT(*) FROM ledger_outbox WHERE anchored_at IS NULL OR anchor_id IS NULL")) {
                    r.next();
                    assertThat(r.getLong(1)).isZero();
                }
            }
            assertThat(anchorsOnChain()).isGreaterThan(anchoredByA);
        }
    }

    @Test
    void aBacklogLargerThanOneAnchorIsAnchoredInOneRoundOldestChainsFirst() throws Exception {
        for (String seed : List.of("e", "d", "c", "b", "a")) { // e waits longest
            append(seed, seed + "1");
            outboxClock.advance(Duration.ofSeconds(1)); // distinct outbox times
        }
        append("e", "e2");

        Anchorer.Result result = anchorer(2).runOnce();

        assertThat(result.outcome()).isEqualTo(Anchorer.Outcome.CONFIRMED);
        assertThat(result.leaves()).isEqualTo(5);
        assertThat(anchorsOnChain()).isEqualTo(3); // 2 + 2 + 1 heads
        assertThat(chains.pendingAnchors()).isZero();
        var first = registry.checkpoint(BigInteger.ZERO).send();
        assertThat(first.component2()).isEqualTo(BigInteger.TWO);
        assertThat(patients.lookup(HexFormat.of().parseHex("e".repeat(64))).send().component3()).isEqualTo(BigInteger.ONE);
        ResourceProof proof = new ResourceProofs(db, chains).proof("Observation", "a1", null).orElseThrow();
        assertThat(proof.verifyOffline()).isTrue();
        assertThat(proof.anchor().treeSize()).isEqualTo(1); // "a" waited least: the last anchor
    }

    @Test
    void aFullAnchorOfNewHeadsFitsInABlock() throws Exception {
        for (int i = 0; i < Anchorer.DEFAULT_MAX_HEADS; i++) {
            String pseudonym = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(("p" + i).getBytes()));
            chains.append(pseudonym, "k1", "dr", List.of(new Entry("Observation", "o" + i, "1", Operation.CREATE, new byte[32])),
                    (keyId, hash) -> new byte[64]);
        }

        Anchorer.Result result = anchorer().runOnce();

        assertThat(result.outcome()).isEqualTo(Anchorer.Outcome.CONFIRMED);
        assertThat(result.leaves()).isEqualTo(Anchorer.DEFAULT_MAX_HEADS);
        assertThat(anchorsOnChain()).isEqualTo(1);
        var last = web3j.ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameterName.LATEST, false).send().getBlock();
        var receipt = web3j.ethGetTransactionReceipt(txHashOfLastAnchor()).send().getTransactionReceipt().orElseThrow();
        System.out.printf("an anchor of %d new chain heads used %,d gas (block gas limit %,d)%n", result.leaves(),
                receipt.getGasUsed(), last.getGasLimit());
        // the anchorer asks for 130 % of the estimate: that must still fit in a block
        assertThat(receipt.getGasUsed().multiply(java.math.BigInteger.valueOf(130)).divide(java.math.BigInteger.valueOf(100)))
                .isLessThan(last.getGasLimit());
    }

    private String txHashOfLastAnchor() throws Exception {
        try (var c = db.getConnection(); var s = c.prepareStatement("SELECT tx_hash FROM ledger_anchor ORDER BY id DESC")) {
            s.setMaxRows(1);
            try (var r = s.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        }
    }
}
