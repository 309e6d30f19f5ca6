package org.phrcloud.connector;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phrcloud.ledger.anchor.AnchorLeaf;
import org.phrcloud.ledger.anchor.AnvilNode;
import org.phrcloud.ledger.anchor.DevChain;
import org.phrcloud.ledger.anchor.SteppedClock;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.merkle.MerkleTree;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Connector's reading of the network's registries on a real anvil: the admitted institutions with their
 * endpoints, the JWK Set an institution published with its own account (none for one that published nothing or is
 * not admitted), and the home of a patient's chain after an anchor.
 */
class NetworkRegistryOnAnvilTest {
    private static final String ST_MARY = "https://st-mary.example/";
    private static final String NORTH_CLINIC = "https://north-clinic.example/";

    private static AnvilNode anvil;
    private static Web3j web3j;
    private static NetworkRegistry registry;
    private static AnchorRegistry asStMary;
    private static AnchorRegistry asOperator;
    private static ECKey key;

    @BeforeAll
    static void network() throws Exception {
        anvil = AnvilNode.start();
        web3j = Web3j.build(new HttpService(anvil.url()));
        asOperator = AnchorRegistry.deploy(web3j, sender(DevChain.OPERATOR_KEY), new DefaultGasProvider()).send();
        asOperator.setInstitution(DevChain.address(DevChain.INSTITUTION_KEY), ST_MARY).send();
        asOperator.setInstitution(DevChain.address(DevChain.OTHER_INSTITUTION_KEY), NORTH_CLINIC).send();
        asStMary = AnchorRegistry.load(asOperator.getContractAddress(), web3j, sender(DevChain.INSTITUTION_KEY), new DefaultGasProvider());
        key = new ECKeyGenerator(Curve.P_256).keyID("st-mary-20261207000000-ab12").generate();
        asStMary.publishKeys(new JWKSet(key.toPublicJWK()).toString()).send();
        registry = new NetworkRegistry(web3j, DevChain.CHAIN_ID, asOperator.getContractAddress(), Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        web3j.shutdown();
        anvil.close();
    }

    private static RawTransactionManager sender(String key) {
        return new RawTransactionManager(web3j, Credentials.create(key), DevChain.CHAIN_ID, new PollingTransactionReceiptProcessor(web3j, 100, 100));
    }

    @Test
    void institutionsAndTheirPublishedKeys() {
        String stMary = "eip155:31337:" + DevChain.address(DevChain.INSTITUTION_KEY);
        String north = "eip155:31337:" + DevChain.address(DevChain.OTHER_INSTITUTION_KEY);
        assertThat(registry.institutions()).containsExactly(new NetworkRegistry.Institution(stMary, ST_MARY),
                new NetworkRegistry.Institution(north, NORTH_CLINIC));
        assertThat(registry.institutions().get(0).fhirBase()).isEqualTo("https://st-mary.example/fhir");
        assertThat(registry.keys(stMary)).hasValueSatisfying(jwks -> {
            assertThat(jwks.getKeys()).hasSize(1);
            assertThat(jwks.getKeyByKeyId("st-mary-20261207000000-ab12").toECKey().getX()).isEqualTo(key.getX());
            assertThat(jwks.getKeys().get(0).isPrivate()).isFalse();
        });
        assertThat(registry.keys(north)).as("admitted, nothing published").isEmpty();
        assertThat(new NetworkRegistry(web3j, DevChain.CHAIN_ID, asOperator.getContractAddress(), Clock.systemUTC())
                .keys("eip155:31337:" + DevChain.address(DevChain.TEST_INSTITUTION_KEY))).as("not admitted (read afresh: other tests admit it "
                + "for a while)").isEmpty();
        assertThat(registry.keys("eip155:1:" + DevChain.address(DevChain.INSTITUTION_KEY))).as("another chain").isEmpty();
        assertThat(registry.institution(stMary, true)).contains(new NetworkRegistry.Institution(stMary, ST_MARY));
        assertThat(registry.institution("st-mary", false)).isEmpty();
    }

    @Test
    void anInstitutionsEndpointIsReadOnceInThirtySeconds() throws Exception {
        String test = "eip155:31337:" + DevChain.address(DevChain.TEST_INSTITUTION_KEY);
        SteppedClock now = new SteppedClock(java.time.Instant.parse("2026-12-07T08:00:00Z"));
        NetworkRegistry cached = new NetworkRegistry(web3j, DevChain.CHAIN_ID, asOperator.getContractAddress(), now);
        asOperator.setInstitution(DevChain.address(DevChain.TEST_INSTITUTION_KEY), "https://first.example/").send();
        try {
            assertThat(cached.institution(test, true)).contains(new NetworkRegistry.Institution(test, "https://first.example/"));
            asOperator.setInstitution(DevChain.address(DevChain.TEST_INSTITUTION_KEY), "https://second.example/").send();
            now.advance(java.time.Duration.ofSeconds(29));
            assertThat(cached.institution(test, true)).as("cached for 30 s").contains(new NetworkRegistry.Institution(test, "https://first.example/"));
            now.advance(java.time.Duration.ofSeconds(2));
            assertThat(cached.institution(test, true)).contains(new NetworkRegistry.Institution(test, "https://second.example/"));
            assertThat(registry.institution(test, true)).as("another reader").contains(new NetworkRegistry.Institution(test, "https://second.example/"));
        } finally {
            asOperator.removeInstitution(DevChain.address(DevChain.TEST_INSTITUTION_KEY)).send();
        }
    }

    @Test
    void theBlocksOfAnInstitutionThatLeftStillVerifyButItsKeysAuthenticateNothing() throws Exception {
        String test = "eip155:31337:" + DevChain.address(DevChain.TEST_INSTITUTION_KEY);
        ECKey testKey = new ECKeyGenerator(Curve.P_256).keyID("test-20261207000000-cd34").generate();
        asOperator.setInstitution(DevChain.address(DevChain.TEST_INSTITUTION_KEY), "https://test.example/").send();
        try {
            AnchorRegistry.load(asOperator.getContractAddress(), web3j, sender(DevChain.TEST_INSTITUTION_KEY), new DefaultGasProvider())
                    .publishKeys(new JWKSet(testKey.toPublicJWK()).toString()).send();
        } finally {
            asOperator.removeInstitution(DevChain.address(DevChain.TEST_INSTITUTION_KEY)).send();
        }
        NetworkRegistry fresh = new NetworkRegistry(web3j, DevChain.CHAIN_ID, asOperator.getContractAddress(), Clock.systemUTC());
        byte[] hash = MessageDigest.getInstance("SHA-256").digest("a block".getBytes());
        java.security.Signature signer = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(testKey.toECPrivateKey());
        signer.update(hash);
        byte[] signature = signer.sign();

        assertThat(fresh.keys(test)).as("not admitted: no client assertion of it is taken").isEmpty();
        assertThat(fresh.verifiesBlock(test + "#test-20261207000000-cd34", hash, signature)).as("its history still verifies").isTrue();
        assertThat(fresh.verifiesBlock(test + "#another-kid", hash, signature)).isFalse();
        assertThat(fresh.verifiesBlock("test-20261207000000-cd34", hash, signature)).as("a local key id").isFalse();
    }

    @Test
    void theHomeOfAChainIsTheInstitutionThatAnchoredItsLatestHead() throws Exception {
        byte[] pseudonym = MessageDigest.getInstance("SHA-256").digest("a patient's public key".getBytes());
        byte[] head = MessageDigest.getInstance("SHA-256").digest("block 3".getBytes());
        AnchorLeaf leaf = new AnchorLeaf(HexFormat.of().formatHex(pseudonym), 3, head);
        String unknown = "ab".repeat(32);
        assertThat(registry.home(unknown)).isEmpty();
        asStMary.anchor(new MerkleTree(List.of(leaf.bytes())).root(), List.of(pseudonym), List.of(BigInteger.valueOf(3)), List.of(head)).send();

        NetworkRegistry.Home home = registry.home(HexFormat.of().formatHex(pseudonym)).orElseThrow();
        assertThat(home.institution()).isEqualTo(new NetworkRegistry.Institution("eip155:31337:" + DevChain.address(DevChain.INSTITUTION_KEY), ST_MARY));
        assertThat(home.head()).isEqualTo(HexFormat.of().formatHex(head));
        assertThat(home.height()).isEqualTo(3);
        assertThat(registry.home(unknown)).isEmpty();
    }
}
