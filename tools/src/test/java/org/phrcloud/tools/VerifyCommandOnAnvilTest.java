package org.phrcloud.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phrcloud.ledger.anchor.AnchorLeaf;
import org.phrcloud.ledger.anchor.Anchorer;
import org.phrcloud.ledger.anchor.AnvilNode;
import org.phrcloud.ledger.anchor.DevChain;
import org.phrcloud.ledger.anchor.ChainExport;
import org.phrcloud.ledger.anchor.ResourceProofs;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.chain.ContentHash;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;
import org.phrcloud.ledger.store.JdbcChainStore;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standalone verifier, run as its command line, on a chain anchored on a real anvil node: a true export
 * verifies; a changed block, a forged root, an anchor that names another transaction or block, a key that did not
 * sign, and a changed resource each fail it with a problem that names what is wrong.
 */
class VerifyCommandOnAnvilTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PSEUDONYM = "a".repeat(64);

    @TempDir
    static Path tmp;

    private static AnvilNode anvil;
    private static Web3j web3j;
    private static KeyPair institution;
    private static ChainExport export;
    private static List<String> resources = new ArrayList<>();
    private static String setInstitutionTx;

    @BeforeAll
    static void anchorAChain() throws Exception {
        anvil = AnvilNode.start();
        web3j = Web3j.build(new HttpService(anvil.url()));
        AnchorRegistry registry = AnchorRegistry.deploy(web3j, new RawTransactionManager(web3j, Credentials.create(DevChain.OPERATOR_KEY),
                DevChain.CHAIN_ID, new PollingTransactionReceiptProcessor(web3j, 100, 300)), new DefaultGasProvider()).send();
        setInstitutionTx = registry.setInstitution(Credentials.create(DevChain.INSTITUTION_KEY).getAddress(), "https://st-mary.example/")
                .send().getTransactionHash();

        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        institution = generator.generateKeyPair();
        JdbcDataSource db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:verify-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JdbcChainStore.migrate(db);
        JdbcChainStore chains = new JdbcChainStore(db, Clock.systemUTC());
        for (int i = 0; i < 3; i++) {
            String observation = "{\"resourceType\":\"Observation\",\"id\":\"o" + i + "\",\"meta\":{\"versionId\":\"1\"},"
                    + "\"status\":\"final\",\"valueQuantity\":{\"value\":" + (5 + i) + ",\"unit\":\"mmol/L\"}}";
            resources.add(observation);
            chains.append(PSEUDONYM, "st-mary-1", "dr", List.of(new Entry("Observation", "o" + i, "1", Operation.CREATE,
                    ContentHash.of(observation))), VerifyCommandOnAnvilTest::sign);
            chains.append("b".repeat(64), "st-mary-1", "dr", List.of(new Entry("Observation", "x" + i, "1", Operation.CREATE,
                    new byte[32])), VerifyCommandOnAnvilTest::sign);
            Anchorer.Result anchored = new Anchorer(db, web3j, Credentials.create(DevChain.INSTITUTION_KEY), DevChain.CHAIN_ID,
                    registry.getContractAddress(), Clock.systemUTC(), Duration.ofSeconds(10)).runOnce();
            assertThat(anchored.outcome()).isEqualTo(Anchorer.Outcome.CONFIRMED);
        }
        chains.append(PSEUDONYM, "st-mary-1", "dr", List.of(new Entry("Observation", "late", "1", Operation.CREATE,
                new byte[32])), VerifyCommandOnAnvilTest::sign); // not anchored yet
        export = new ResourceProofs(db, chains).export(PSEUDONYM).orElseThrow();
        Files.writeString(tmp.resolve("keys.json"), jwks(institution));
    }

    @AfterAll
    static void stop() throws Exception {
        web3j.shutdown();
        anvil.close();
    }

    private static byte[] sign(String keyId, byte[] hash) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(institution.getPrivate());
            s.update(hash);
            return s.sign();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String jwks(KeyPair keys) {
        return new JWKSet(new ECKey.Builder(Curve.P_256, (ECPublicKey) keys.getPublic()).keyID("st-mary-1").build()).toString();
    }

    private static VerifyRun verify(Object chainExport, String bundle, String keysFile) throws Exception {
        return VerifyRun.of(tmp, chainExport, bundle, tmp.resolve(keysFile), anvil.url());
    }

    private static ObjectNode exportTree() {
        return JSON.valueToTree(export);
    }

    private static String bundle(List<String> resources) {
        return "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":["
                + String.join(",", resources.stream().map(r -> "{\"resource\":" + r + "}").toList()) + "]}";
    }

    @Test
    void aTrueExportVerifiesWithItsBundle() throws Exception {
        VerifyRun run = verify(export, bundle(resources), "keys.json");

        assertThat(run.status()).as(String.valueOf(run.report())).isZero();
        assertThat(run.report().path("valid").asBoolean()).isTrue();
        assertThat(run.report().path("blocks").asInt()).isEqualTo(4);
        assertThat(run.report().path("anchors").asInt()).isEqualTo(3);
        assertThat(run.report().path("anchoredHeight").asLong()).isEqualTo(2); // the 4th block waits for its anchor
        assertThat(run.report().path("resourcesChecked").asInt()).isEqualTo(3);
    }

    @Test
    void aChangedBlockFails() throws Exception {
        ObjectNode changedTime = exportTree();
        flipHex((ObjectNode) changedTime.path("blocks").get(1), 2 * 119); // a byte of the timestamp (Block: format 1)
        VerifyRun run = verify(changedTime, null, "keys.json");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.report().path("problems").toString()).contains("block 1: the signature").contains("block 2: does not link");

        ObjectNode changedEntry = exportTree();
        ObjectNode block = (ObjectNode) changedEntry.path("blocks").get(1);
        flipHex(block, block.path("encoding").asText().length() - 70); // the entry's content hash: no longer its entries root
        assertThat(verify(changedEntry, null, "keys.json").report().path("problems").toString()).contains("block 1: does not decode");
    }

    private static void flipHex(ObjectNode block, int at) {
        String encoding = block.path("encoding").asText();
        block.put("encoding", encoding.substring(0, at) + (encoding.charAt(at) == '0' ? '1' : '0') + encoding.substring(at + 1));
    }

    @Test
    void aForgedRootOrAnAnchorThatIsNotOnChainFails() throws Exception {
        ObjectNode forgedRoot = exportTree();
        ObjectNode anchor = (ObjectNode) forgedRoot.path("anchors").get(0);
        byte[] other = new AnchorLeaf(PSEUDONYM, 0, new byte[32]).bytes();
        anchor.put("root", HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(other)));
        assertThat(verify(forgedRoot, null, "keys.json").report().path("problems").toString()).contains("is not under its root");

        ObjectNode otherTx = exportTree();
        ((ObjectNode) otherTx.path("anchors").get(1)).put("txHash", setInstitutionTx);
        VerifyRun run = verify(otherTx, null, "keys.json");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.report().path("problems").toString()).contains("anchor 1").contains("did not anchor this root");

        ObjectNode otherBlock = exportTree();
        ObjectNode second = (ObjectNode) otherBlock.path("anchors").get(2);
        second.put("blockNumber", second.path("blockNumber").asLong() + 1);
        assertThat(verify(otherBlock, null, "keys.json").report().path("problems").toString()).contains("anchor 2").contains("mined in block");

        ObjectNode unknownTx = exportTree();
        ((ObjectNode) unknownTx.path("anchors").get(0)).put("txHash", "0x" + "ab".repeat(32));
        assertThat(verify(unknownTx, null, "keys.json").report().path("problems").toString()).contains("no such transaction");
    }

    @Test
    void keysThatDidNotSignFail() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        Files.writeString(tmp.resolve("other-keys.json"), jwks(generator.generateKeyPair()));

        VerifyRun run = verify(export, null, "other-keys.json");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.report().path("problems").toString()).contains("block 0: the signature of key st-mary-1 does not verify");
    }

    @Test
    void aChangedResourceFailsAndWrongUsageIsStatus2() throws Exception {
        List<String> changed = new ArrayList<>(resources);
        changed.set(1, changed.get(1).replace("\"value\":6", "\"value\":60"));

        VerifyRun run = verify(export, bundle(changed), "keys.json");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.report().path("problems").toString()).contains("Observation/o1: content does not match its chain entry")
                .doesNotContain("Observation/o0").doesNotContain("Observation/o2");
        assertThat(VerifyCommand.run(new String[]{"--export", "x"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()))).isEqualTo(2);
        assertThat(VerifyCommand.run(new String[]{"--export", tmp.resolve("missing.json").toString(), "--keys", "k", "--rpc",
                anvil.url()}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()))).isEqualTo(2);
    }
}
