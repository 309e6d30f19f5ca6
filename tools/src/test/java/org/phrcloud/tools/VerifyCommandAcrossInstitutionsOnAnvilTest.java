package org.phrcloud.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phrcloud.ledger.anchor.Anchorer;
import org.phrcloud.ledger.anchor.AnvilNode;
import org.phrcloud.ledger.anchor.ChainExport;
import org.phrcloud.ledger.anchor.DevChain;
import org.phrcloud.ledger.anchor.ResourceProofs;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.chain.Block;
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
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standalone verifier on a chain with blocks of two institutions (ARCHITECTURE.md "Federation", records kept
 * elsewhere), anchored on a real anvil: St Mary's block checks with the keys file of the home, North Clinic's block
 * (author key id {@code <North's account id>#<kid>}) with the JWK Set North published on chain; a block under a key
 * North did not publish fails; a record kept at North is checked by the Bundle entry's {@code fullUrl}.
 */
class VerifyCommandAcrossInstitutionsOnAnvilTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAULA = "a".repeat(64);
    private static final String OTHER = "c".repeat(64);
    private static final String NORTH_RECORD = "https://north-clinic.example/fhir/Observation/88";
    private static final String NORTH_OBSERVATION = "{\"resourceType\":\"Observation\",\"id\":\"88\",\"meta\":{\"versionId\":\"1\"},"
            + "\"status\":\"final\",\"subject\":{\"identifier\":{\"system\":\"urn:phr:pseudonym\",\"value\":\"" + PAULA + "\"}},"
            + "\"valueQuantity\":{\"value\":11.2,\"unit\":\"mmol/L\"}}";

    @TempDir
    static Path tmp;

    private static AnvilNode anvil;
    private static Web3j web3j;
    private static ECKey stMary;
    private static ECKey north;
    private static String northAccount;
    private static ChainExport paula;
    private static ChainExport other;

    @BeforeAll
    static void twoInstitutionsBlocksAnchored() throws Exception {
        anvil = AnvilNode.start();
        web3j = Web3j.build(new HttpService(anvil.url()));
        AnchorRegistry asOperator = AnchorRegistry.deploy(web3j, sender(DevChain.OPERATOR_KEY), new DefaultGasProvider()).send();
        asOperator.setInstitution(DevChain.address(DevChain.INSTITUTION_KEY), "https://st-mary.example/").send();
        asOperator.setInstitution(DevChain.address(DevChain.OTHER_INSTITUTION_KEY), "https://north-clinic.example/").send();
        stMary = new ECKeyGenerator(Curve.P_256).keyID("st-mary-1").generate();
        north = new ECKeyGenerator(Curve.P_256).keyID("north-1").generate();
        AnchorRegistry.load(asOperator.getContractAddress(), web3j, sender(DevChain.OTHER_INSTITUTION_KEY), new DefaultGasProvider())
                .publishKeys(new JWKSet(north.toPublicJWK()).toString()).send();
        northAccount = "eip155:" + DevChain.CHAIN_ID + ":" + DevChain.address(DevChain.OTHER_INSTITUTION_KEY);

        JdbcDataSource db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:verify-federated-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JdbcChainStore.migrate(db);
        JdbcChainStore chains = new JdbcChainStore(db, Clock.systemUTC());
        PrivateKey stMaryKey = stMary.toECPrivateKey();
        PrivateKey northKey = north.toECPrivateKey();
        Entry local = new Entry("Observation", "o1", "1", Operation.CREATE, new byte[32]);
        Entry kept = new Entry("Observation", NORTH_RECORD, "1", Operation.CREATE, ContentHash.of(NORTH_OBSERVATION));
        Block first = chains.append(PAULA, "st-mary-1", "dr", List.of(local), (kid, hash) -> sign(stMaryKey, hash));
        chains.appendSigned(Block.create(first, PAULA, System.currentTimeMillis(), northAccount + "#north-1", "dr-b@" + northAccount,
                List.of(kept)).signedWith((kid, hash) -> sign(northKey, hash)));
        PrivateKey unpublished = new ECKeyGenerator(Curve.P_256).keyID("north-2").generate().toECPrivateKey();
        Block otherFirst = chains.append(OTHER, "st-mary-1", "dr", List.of(local), (kid, hash) -> sign(stMaryKey, hash));
        chains.appendSigned(Block.create(otherFirst, OTHER, System.currentTimeMillis(), northAccount + "#north-2", "dr-b@" + northAccount,
                List.of(kept)).signedWith((kid, hash) -> sign(unpublished, hash)));
        Anchorer.Result anchored = new Anchorer(db, web3j, Credentials.create(DevChain.INSTITUTION_KEY), DevChain.CHAIN_ID,
                asOperator.getContractAddress(), Clock.systemUTC(), Duration.ofSeconds(10)).runOnce();
        assertThat(anchored.outcome()).isEqualTo(Anchorer.Outcome.CONFIRMED);
        ResourceProofs proofs = new ResourceProofs(db, chains);
        paula = proofs.export(PAULA).orElseThrow();
        other = proofs.export(OTHER).orElseThrow();
        Files.writeString(tmp.resolve("keys.json"), new JWKSet(stMary.toPublicJWK()).toString());
    }

    @AfterAll
    static void stop() throws Exception {
        web3j.shutdown();
        anvil.close();
    }

    private static RawTransactionManager sender(String key) {
        return new RawTransactionManager(web3j, Credentials.create(key), DevChain.CHAIN_ID, new PollingTransactionReceiptProcessor(web3j, 100, 300));
    }

    private static byte[] sign(PrivateKey key, byte[] hash) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(key);
            s.update(hash);
            return s.sign();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static VerifyRun verify(ChainExport export, String bundle) throws Exception {
        return VerifyRun.of(tmp, export, bundle, tmp.resolve("keys.json"), anvil.url());
    }

    @Test
    void bothInstitutionsBlocksVerifyWithTheHomesKeysFileAndTheOtherInstitutionsKeysOnChain() throws Exception {
        VerifyRun run = verify(paula, "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"fullUrl\":\"" + NORTH_RECORD
                + "\",\"resource\":" + NORTH_OBSERVATION + "}]}");

        assertThat(run.status()).as(run.report().toString()).isZero();
        assertThat(run.report().path("blocks").asInt()).isEqualTo(2);
        assertThat(run.report().path("anchoredHeight").asLong()).isEqualTo(1);
        assertThat(run.report().path("resourcesChecked").asInt()).isEqualTo(1);
    }

    @Test
    void aRecordKeptElsewhereThatChangedFails() throws Exception {
        VerifyRun run = verify(paula, "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"fullUrl\":\"" + NORTH_RECORD
                + "\",\"resource\":" + NORTH_OBSERVATION.replace("11.2", "5.2") + "}]}");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.report().path("problems").toString()).contains("Observation/" + NORTH_RECORD + ": content does not match its chain entry");
    }

    @Test
    void aBlockUnderAKeyTheOtherInstitutionDidNotPublishFails() throws Exception {
        VerifyRun run = verify(other, null);

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.report().path("problems").toString())
                .contains("block 1: the signature of key " + northAccount + "#north-2 does not verify");
    }
}
