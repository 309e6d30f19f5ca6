package org.phrcloud.ledger.anchor;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.anchor.contracts.PatientRegistry;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contracts as the build compiles them (solc from npm) and wraps them (web3j codegen), on a real anvil node:
 * only registered institutions anchor, a checkpoint reads back, the latest patient registration wins.
 */
class ContractsOnAnvilTest {
    private static AnvilNode anvil;
    private static Web3j web3j;

    @BeforeAll
    static void start() throws Exception {
        anvil = AnvilNode.start();
        web3j = Web3j.build(new HttpService(anvil.url()));
    }

    @AfterAll
    static void stop() throws Exception {
        web3j.shutdown();
        anvil.close();
    }

    private static TransactionManager sender(String key) {
        return new RawTransactionManager(web3j, Credentials.create(key), AnvilNode.CHAIN_ID,
                new PollingTransactionReceiptProcessor(web3j, 100, 300));
    }

    private static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes());
    }

    @Test
    void registeredInstitutionsAnchorRootsThatReadBack() throws Exception {
        AnchorRegistry registry = AnchorRegistry.deploy(web3j, sender(AnvilNode.DEV_KEY_0), new DefaultGasProvider()).send();
        byte[] root = sha256("merkle root");

        TransactionReceipt receipt = registry.anchor(root, BigInteger.valueOf(12)).send();
        assertThat(receipt.isStatusOK()).isTrue();
        assertThat(AnchorRegistry.getAnchoredEvents(receipt)).singleElement()
                .satisfies(e -> assertThat(e.root).isEqualTo(root));

        assertThat(registry.count().send()).isEqualTo(BigInteger.ONE);
        var checkpoint = registry.checkpoint(BigInteger.ZERO).send();
        assertThat(checkpoint.component1()).isEqualTo(root);
        assertThat(checkpoint.component2()).isEqualTo(BigInteger.valueOf(12));

        AnchorRegistry asStranger = AnchorRegistry.load(registry.getContractAddress(), web3j, sender(AnvilNode.DEV_KEY_1),
                new DefaultGasProvider());
        assertThatThrownBy(() -> asStranger.anchor(root, BigInteger.ONE).send()).isInstanceOf(Exception.class);
        assertThat(registry.count().send()).isEqualTo(BigInteger.ONE);
    }

    @Test
    void theLatestPatientRegistrationWins() throws Exception {
        PatientRegistry registry = PatientRegistry.deploy(web3j, sender(AnvilNode.DEV_KEY_0), new DefaultGasProvider()).send();
        byte[] pseudonym = sha256("a patient's public key");
        registry.register(pseudonym, "https://st-mary.example/api", sha256("head 1"), BigInteger.ONE).send();
        registry.register(pseudonym, "https://north-clinic.example/api", sha256("head 7"), BigInteger.valueOf(7)).send();

        var found = registry.lookup(pseudonym).send();
        assertThat(found.component1()).isEqualTo("https://north-clinic.example/api");
        assertThat(HexFormat.of().formatHex(found.component2())).isEqualTo(HexFormat.of().formatHex(sha256("head 7")));
        assertThat(found.component3()).isEqualTo(BigInteger.valueOf(7));
    }
}
