package org.phrcloud.ledger.store;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.BlockSigner;
import org.phrcloud.ledger.chain.ChainVerifier;
import org.phrcloud.ledger.chain.ContentHash;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;
import org.phrcloud.ledger.chain.SignatureCheck;

import javax.sql.DataSource;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** What every chain storage must do; run on H2 and on a real PostgreSQL. */
abstract class ChainStoreContract {
    private static final String PSEUDONYM = "a".repeat(64);
    private static final KeyPair KEYS = keys();
    private static final BlockSigner SIGNER = (keyId, hash) -> sign(hash);
    private static final SignatureCheck CHECK = (keyId, hash, signature) -> "k1".equals(keyId) && verify(hash, signature);

    private DataSource dataSource;
    private JdbcChainStore store;

    protected abstract DataSource dataSource();

    @BeforeEach
    void setUp() throws Exception {
        dataSource = dataSource();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String t : List.of("ledger_chain_move", "ledger_former_home", "ledger_consent_outbox", "ledger_anchor_leaf", "ledger_anchor", "ledger_outbox", "ledger_entry", "ledger_block", "ledger_head", "\"phr_ledger_schema_history\"")) {
                s.execute("DROP TABLE IF EXISTS " + t);
            }
        }
        JdbcChainStore.migrate(dataSource);
        store = new JdbcChainStore(dataSource, Clock.systemUTC());
    }

    private static Entry entry(String id, String version) {
        return new Entry("Observation", id, version, version.equals("1") ? Operation.CREATE : Operation.UPDATE,
                ContentHash.of("{\"resourceType\":\"Observation\",\"id\":\"" + id + "\",\"status\":\"final\"}"));
    }

    @Test
    void appendedBlocksFormAVerifiableChainAndWaitForAnchoring() {
        store.append(PSEUDONYM, "k1", "dr-a", List.of(entry("o1", "1"), entry("o2", "1")), SIGNER);
        store.append(PSEUDONYM, "k1", "dr-a", List.of(entry("o1", "2")), SIGNER);
        Block third = store.append(PSEUDONYM, "k1", null, List.of(entry("o3", "1")), SIGNER);

        List<Block> chain = store.chain(PSEUDONYM, 0, 100);
        assertThat(chain).extracting(Block::height).containsExactly(0L, 1L, 2L);
        assertThat(new ChainVerifier(CHECK).verify(chain).valid()).isTrue();
        assertThat(store.head(PSEUDONYM).orElseThrow().hash()).isEqualTo(third.hash());
        assertThat(store.latestEntry("Observation", "o1").orElseThrow().entry().versionId()).isEqualTo("2");
        assertThat(store.latestEntry("Observation", "o1").orElseThrow().height()).isEqualTo(1);
        assertThat(store.latestEntry("Observation", "nope")).isEmpty();
        assertThat(store.pendingAnchors()).isEqualTo(3);
    }

    @Test
    void aChainMovesOnlyOnceAnchoredAndOnlyIfItsNewHomeTakesItThenNothingIsAppendedHere() throws Exception {
        String north = "eip155:31337:0x" + "b".repeat(40);
        store.append(PSEUDONYM, "k1", "dr-a", List.of(entry("o1", "1")), SIGNER);
        Block second = store.append(PSEUDONYM, "k1", "dr-a", List.of(entry("o2", "1")), SIGNER);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.moveOut(PSEUDONYM, north, "{}", new byte[]{1}, (c, h) -> c))
                .as("its head waits for its anchor").hasMessageStartingWith("PHR-LEDGER-0304");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE ledger_outbox SET anchored_at = CURRENT_TIMESTAMP");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.moveOut(PSEUDONYM, north, "{}", new byte[]{1}, (c, h) -> {
            throw new IllegalStateException("the new home refused");
        })).hasMessage("the new home refused");
        assertThat(store.movedTo(PSEUDONYM)).as("a refused hand-over leaves the chain here").isEmpty();

        long handedOver = store.moveOut(PSEUDONYM, north, "{\"move\":1}", new byte[]{1}, (height, formerHomes) -> {
            assertThat(formerHomes).isEmpty();
            return height;
        });
        assertThat(handedOver).as("through the locked head").isEqualTo(1L);
        assertThat(store.movedTo(PSEUDONYM)).contains(north);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.append(PSEUDONYM, "k1", "dr-a", List.of(entry("o3", "1")), SIGNER))
                .isInstanceOf(JdbcChainStore.ChainMovedException.class).hasMessageContaining(north);
        Block foreign = Block.create(second, PSEUDONYM, 1_765_000_000_000L, "k1", "dr-b@north",
                List.of(entry("o4", "1"))).signedWith(SIGNER);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.appendSigned(foreign)).isInstanceOf(JdbcChainStore.ChainMovedException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.moveOut(PSEUDONYM, north, "{}", new byte[]{1}, (c, h) -> c))
                .hasMessageStartingWith("PHR-LEDGER-0303");
        assertThat(store.chain(PSEUDONYM, 0, 100)).hasSize(2);

        // the new home (here: another pseudonym's copy of the tables is not needed; the same store takes a second chain)
        String other = "c".repeat(64);
        Block first = Block.create(null, other, 1_765_000_000_000L, "k1", "dr-a", List.of(entry("p1", "1"))).signedWith(SIGNER);
        Block next = Block.create(first, other, 1_765_000_000_001L, "k1", "dr-a", List.of(entry("p2", "1"))).signedWith(SIGNER);
        long pending = store.pendingAnchors();
        store.importChain(List.of(first, next), List.of(new JdbcChainStore.FormerHome(north, 1)));
        assertThat(store.head(other).orElseThrow().hash()).isEqualTo(next.hash());
        assertThat(store.pendingAnchors()).as("only the head waits for this home's anchor").isEqualTo(pending + 1);
        assertThat(store.formerHomes(other)).containsExactly(new JdbcChainStore.FormerHome(north, 1));
        assertThat(JdbcChainStore.FormerHome.of(store.formerHomes(other), 1)).contains(north);
        assertThat(JdbcChainStore.FormerHome.of(store.formerHomes(other), 2)).isEmpty();
        assertThat(store.latestEntry("Observation", "p2").orElseThrow().height()).isEqualTo(1);
        assertThat(store.append(other, "k1", "dr-c", List.of(entry("p3", "1")), SIGNER).height()).isEqualTo(2);
        assertThat(new ChainVerifier(CHECK).verify(store.chain(other, 0, 100)).valid()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.importChain(List.of(first, next), List.of()))
                .hasMessageStartingWith("PHR-LEDGER-0303");
    }

    @Test
    void aBlockSignedElsewhereIsAppendedOnlyWhenItExtendsTheHead() throws Exception {
        Block first = store.append(PSEUDONYM, "k1", "dr-a", List.of(entry("o1", "1")), SIGNER);
        String elsewhere = "https://north-clinic.example/fhir/Observation/" + "9".repeat(40);
        Block foreign = Block.create(first, PSEUDONYM, 1_765_000_000_000L, "k1", "dr-b@north",
                List.of(new Entry("Observation", elsewhere, "1", Operation.CREATE, ContentHash.of("{\"resourceType\":\"Observation\"}"))))
                .signedWith(SIGNER);

        assertThat(store.appendSigned(foreign).height()).isEqualTo(1);
        assertThat(store.head(PSEUDONYM).orElseThrow().hash()).isEqualTo(foreign.hash());
        assertThat(store.latestEntry("Observation", elsewhere).orElseThrow().height()).isEqualTo(1);
        assertThat(store.pendingAnchors()).isEqualTo(2);
        assertThat(new ChainVerifier(CHECK).verify(store.chain(PSEUDONYM, 0, 100)).valid()).isTrue();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.appendSigned(foreign)).as("the same block again")
                .isInstanceOf(JdbcChainStore.StaleHeadException.class).hasMessageStartingWith("PHR-LEDGER-0302");
        Block behind = Block.create(first, PSEUDONYM, 1_765_000_000_001L, "k1", "dr-b@north", foreign.entries()).signedWith(SIGNER);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.appendSigned(behind)).as("made on an old head")
                .isInstanceOf(JdbcChainStore.StaleHeadException.class);
        Block noChain = Block.create(null, "b".repeat(64), 1_765_000_000_000L, "k1", "dr-b@north", foreign.entries()).signedWith(SIGNER);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.appendSigned(noChain)).as("a chain not kept here")
                .isInstanceOf(JdbcChainStore.StaleHeadException.class);
        assertThat(store.chain(PSEUDONYM, 0, 100)).hasSize(2);
        assertThat(store.chain("b".repeat(64), 0, 100)).isEmpty();
    }

    @Test
    void fiftyConcurrentWritersOnOnePatientMakeOneLinearChain() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Block>> writes = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                String id = "o" + i;
                writes.add(pool.submit(() -> {
                    start.await();
                    return store.append(PSEUDONYM, "k1", "dr-" + id, List.of(entry(id, "1")), SIGNER);
                }));
            }
            start.countDown();
            for (Future<Block> w : writes) {
                w.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<Block> chain = store.chain(PSEUDONYM, 0, 1000);
        assertThat(chain).hasSize(50);
        ChainVerifier.Result result = new ChainVerifier(CHECK).verify(chain);
        assertThat(result.problems()).isEmpty();
        assertThat(chain.stream().map(b -> b.entries().get(0).id()).distinct()).hasSize(50);
    }

    @Test
    void aChangedStoredBlockFailsVerification() throws Exception {
        store.append(PSEUDONYM, "k1", "dr-a", List.of(entry("o1", "1")), SIGNER);
        store.append(PSEUDONYM, "k1", "dr-a", List.of(entry("o2", "1")), SIGNER);
        Block forged = new Block(Block.VERSION, PSEUDONYM, 0, Block.GENESIS_PREVIOUS, 0, "k1", "dr-b",
                List.of(entry("o1", "1")), store.chain(PSEUDONYM, 0, 1).get(0).signature());
        try (Connection c = dataSource.getConnection();
             var s = c.prepareStatement("UPDATE ledger_block SET encoding = ? WHERE pseudonym = ? AND height = 0")) {
            s.setBytes(1, forged.canonicalEncoding());
            s.setString(2, PSEUDONYM);
            s.executeUpdate();
        }
        ChainVerifier.Result result = new ChainVerifier(CHECK).verify(store.chain(PSEUDONYM, 0, 10));
        assertThat(result.valid()).isFalse();
        assertThat(result.problems()).anyMatch(p -> p.startsWith("block 0: the signature"))
                .anyMatch(p -> p.startsWith("block 1: does not link"));
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sign(byte[] hash) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(KEYS.getPrivate());
            s.update(hash);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean verify(byte[] hash, byte[] signature) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initVerify(KEYS.getPublic());
            s.update(hash);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
