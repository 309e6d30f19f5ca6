package org.phrcloud.ledger.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phrcloud.ledger.anchor.Anchorer;
import org.phrcloud.ledger.anchor.AnchoringSchedule;
import org.phrcloud.ledger.anchor.AnvilNode;
import org.phrcloud.ledger.anchor.DevChain;
import org.phrcloud.ledger.anchor.ResourceProof;
import org.phrcloud.ledger.anchor.ResourceProofs;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;
import org.phrcloud.ledger.store.JdbcChainStore;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

import javax.sql.DataSource;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 4's ledger figures, printed (run with {@code -Pbenchmark}; not part of the default test run):
 * <ul>
 *   <li>appends per second (a block with one entry, signed with ECDSA P-256, head lock, outbox row) on H2 (file,
 *       durable commits) and PostgreSQL, 1 and 4 writers over 200 chains;</li>
 *   <li>anchoring latency after commit, p50 and p95, and chain transactions per block, on anvil with 1 s blocks,
 *       anchoring every second, while writers append 20 blocks a second for 60 s;</li>
 *   <li>inclusion proof size and offline verification time (Merkle paths, links and the block signatures).</li>
 * </ul>
 */
class LedgerBenchmark {
    private static final int CHAINS = 200;

    @TempDir
    Path tmp;

    private final KeyPair institution = keyPair();
    private final List<String> pseudonyms = pseudonyms();

    @Test
    void appendsPerSecond() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + tmp.resolve("ledger") + ";WRITE_DELAY=0;DB_CLOSE_DELAY=-1"); // open while the benchmark runs, as under a pool
        report("H2 file (durable commits)", h2);
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            report("PostgreSQL (embedded)", postgres.getPostgresDatabase());
        }
    }

    private void report(String database, DataSource db) throws Exception {
        JdbcChainStore.migrate(db);
        JdbcChainStore chains = new JdbcChainStore(db, Clock.systemUTC());
        append(chains, 1, 500); // warm-up
        for (int writers : new int[]{1, 4}) {
            int n = 2000;
            long start = System.nanoTime();
            append(chains, writers, n);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("BENCH ledger appends (JDK ECDSA signature each), %s, %d writer(s): %.0f appends/s (%d in %.1f s)%n", database, writers,
                    n / seconds, n, seconds);
        }
    }

    private void append(JdbcChainStore chains, int writers, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        AtomicLong next = new AtomicLong();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            done.add(pool.submit(() -> {
                for (long i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    appendOne(chains, pseudonyms.get(ThreadLocalRandom.current().nextInt(CHAINS)), "o" + i + "-" + System.nanoTime());
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
    }

    private Block appendOne(JdbcChainStore chains, String pseudonym, String id) {
        byte[] content = sha256(id);
        return chains.append(pseudonym, "st-mary-1", "dr", List.of(new Entry("Observation", id, "1", Operation.CREATE, content)),
                (keyId, hash) -> sign(hash));
    }

    @Test
    void anchoringLatencyTransactionsPerBlockAndProofs() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (AnvilNode anvil = AnvilNode.start(port, tmp.resolve("anvil.json"), 1)) {
            Web3j web3j = Web3j.build(new HttpService(anvil.url()));
            AnchorRegistry registry = AnchorRegistry.deploy(web3j, new RawTransactionManager(web3j,
                    Credentials.create(DevChain.OPERATOR_KEY), DevChain.CHAIN_ID, new PollingTransactionReceiptProcessor(web3j, 100, 300)),
                    new DefaultGasProvider()).send();
            registry.setInstitution(Credentials.create(DevChain.INSTITUTION_KEY).getAddress(), "https://st-mary.example/").send();
            JdbcDataSource db = new JdbcDataSource();
            db.setURL("jdbc:h2:file:" + tmp.resolve("anchoring") + ";WRITE_DELAY=0;DB_CLOSE_DELAY=-1");
            JdbcChainStore.migrate(db);
            JdbcChainStore chains = new JdbcChainStore(db, Clock.systemUTC());
            Anchorer anchorer = new Anchorer(db, web3j, Credentials.create(DevChain.INSTITUTION_KEY), DevChain.CHAIN_ID,
                    registry.getContractAddress(), Clock.systemUTC(), Duration.ofSeconds(5));
            long firstChainBlock = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
            int seconds = 60;
            try (AnchoringSchedule ignored = new AnchoringSchedule(anchorer, Duration.ofSeconds(1))) {
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                long i = 0;
                while (System.nanoTime() < end) {
                    appendOne(chains, pseudonyms.get(ThreadLocalRandom.current().nextInt(CHAINS)), "a" + i++);
                    Thread.sleep(50); // about 20 appends a second
                }
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (chains.pendingAnchors() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
            }
            long lastChainBlock = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();

            List<Long> latencies = new ArrayList<>();
            Map<Long, Integer> anchorsPerChainBlock = new TreeMap<>();
            try (Connection c = db.getConnection()) {
                try (PreparedStatement s = c.prepareStatement("SELECT created_at, anchored_at FROM ledger_outbox WHERE anchored_at IS NOT NULL");
                     ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        latencies.add(r.getTimestamp(2).getTime() - r.getTimestamp(1).getTime());
                    }
                }
                try (PreparedStatement s = c.prepareStatement("SELECT block_number FROM ledger_anchor WHERE status = 'CONFIRMED'");
                     ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        anchorsPerChainBlock.merge(r.getLong(1), 1, Integer::sum);
                    }
                }
            }
            Collections.sort(latencies);
            int anchors = anchorsPerChainBlock.values().stream().mapToInt(Integer::intValue).sum();
            long blocks = lastChainBlock - firstChainBlock;
            System.out.printf("BENCH anchoring latency after commit (anvil 1 s blocks, a round every 1 s, %d blocks appended in %d s): "
                            + "p50 %d ms, p95 %d ms, max %d ms; still pending: %d%n", latencies.size(), seconds,
                    percentile(latencies, 50), percentile(latencies, 95), latencies.get(latencies.size() - 1), chains.pendingAnchors());
            System.out.printf("BENCH chain transactions: %d anchors in %d chain blocks = %.2f per block; at most %d in one block%n",
                    anchors, blocks, anchors / (double) blocks, anchorsPerChainBlock.values().stream().mapToInt(Integer::intValue).max().orElse(0));

            ResourceProofs proofs = new ResourceProofs(db, chains);
            for (String id : new String[]{"a" + 0, "a" + (latencies.size() - 1)}) {
                ResourceProof proof = proofs.proof("Observation", id, null).orElseThrow();
                int size = Block.entryEncoding(proof.entry()).length + 32 * proof.entryProof().path().size()
                        + proof.blocks().stream().mapToInt(b -> b.canonicalEncoding().length + b.signature().length).sum()
                        + (proof.anchor() == null ? 0 : 32 + 32 * proof.leafProof().path().size());
                for (int w = 0; w < 200; w++) {
                    verify(proof);
                }
                int runs = 2000;
                long start = System.nanoTime();
                for (int r = 0; r < runs; r++) {
                    if (!verify(proof)) {
                        throw new AssertionError("a proof did not verify");
                    }
                }
                double ms = (System.nanoTime() - start) / 1e6 / runs;
                System.out.printf("BENCH inclusion proof of Observation/%s: %d bytes (%d block(s) to the anchored head, anchor tree of %d), "
                                + "verified offline with signatures in %.3f ms%n", id, size, proof.blocks().size(),
                        proof.anchor() == null ? 0 : proof.anchor().treeSize(), ms);
            }
            web3j.shutdown();
        }
    }

    /** The offline checks plus each block's signature. */
    private boolean verify(ResourceProof proof) {
        if (!proof.verifyOffline()) {
            return false;
        }
        try {
            for (Block b : proof.blocks()) {
                Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
                s.initVerify(institution.getPublic());
                s.update(b.hash());
                if (!s.verify(b.signature())) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private byte[] sign(byte[] hash) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(institution.getPrivate());
            s.update(hash);
            return s.sign();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> pseudonyms() {
        List<String> list = new ArrayList<>();
        for (int i = 0; i < CHAINS; i++) {
            list.add(HexFormat.of().formatHex(sha256("patient " + i)));
        }
        return list;
    }
}
