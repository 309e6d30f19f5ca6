package org.phrcloud.ledger.anchor;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.anchor.contracts.PatientRegistry;
import org.phrcloud.ledger.merkle.MerkleTree;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contracts as the build compiles them (solc from npm) and wraps them (web3j codegen), on a real anvil node:
 * only admitted institutions anchor, the contract's Merkle root is RFC 9162's, a checkpoint over heads reads back
 * and registers the heads in the patient registry, the latest entry wins.
 */
class ContractsOnAnvilTest {
    private static final String ST_MARY = "https://st-mary.example/";
    private static final String NORTH_CLINIC = "https://north-clinic.example/";

    private static AnvilNode anvil;
    private static Web3j web3j;
    private static AnchorRegistry asOperator;
    private static AnchorRegistry asStMary;
    private static PatientRegistry patients;

    @BeforeAll
    static void start() throws Exception {
        anvil = AnvilNode.start();
        web3j = Web3j.build(new HttpService(anvil.url()));
        asOperator = AnchorRegistry.deploy(web3j, sender(DevChain.OPERATOR_KEY), new DefaultGasProvider()).send();
        asOperator.setInstitution(address(DevChain.INSTITUTION_KEY), ST_MARY).send();
        asStMary = AnchorRegistry.load(asOperator.getContractAddress(), web3j, sender(DevChain.INSTITUTION_KEY), new DefaultGasProvider());
        patients = PatientRegistry.load(asOperator.patientRegistry().send(), web3j, sender(DevChain.OPERATOR_KEY), new DefaultGasProvider());
    }

    @AfterAll
    static void stop() throws Exception {
        web3j.shutdown();
        anvil.close();
    }

    private static TransactionManager sender(String key) {
        return new RawTransactionManager(web3j, Credentials.create(key), DevChain.CHAIN_ID,
                new PollingTransactionReceiptProcessor(web3j, 100, 300));
    }

    private static String address(String key) {
        return Credentials.create(key).getAddress();
    }

    private static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes());
    }

    /** Heads of n chains, pseudonyms ordered, as the anchorer makes them. */
    private static List<AnchorLeaf> heads(String seed, int n) throws Exception {
        List<AnchorLeaf> heads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            heads.add(new AnchorLeaf(HexFormat.of().formatHex(sha256(seed + " pseudonym " + i)), i + 1L, sha256(seed + " block " + i)));
        }
        heads.sort((a, b) -> a.pseudonym().compareTo(b.pseudonym()));
        return heads;
    }

    private static byte[] root(List<AnchorLeaf> heads) {
        return new MerkleTree(heads.stream().map(AnchorLeaf::bytes).toList()).root();
    }

    private static List<byte[]> pseudonyms(List<AnchorLeaf> heads) {
        return heads.stream().map(h -> HexFormat.of().parseHex(h.pseudonym())).toList();
    }

    private static List<BigInteger> heights(List<AnchorLeaf> heads) {
        return heads.stream().map(h -> BigInteger.valueOf(h.height())).toList();
    }

    private static List<byte[]> blockHashes(List<AnchorLeaf> heads) {
        return heads.stream().map(AnchorLeaf::blockHash).toList();
    }

    @Test
    void theContractsMerkleRootIsTheRfc9162RootOfTheLedger() throws Exception {
        for (int n : IntStream.rangeClosed(1, 17).toArray()) {
            List<AnchorLeaf> heads = heads("tree " + n, n);
            byte[] onChain = asOperator.merkleRoot(pseudonyms(heads), heights(heads), blockHashes(heads)).send();
            assertThat(onChain).as("root of %d leaves", n).isEqualTo(root(heads));
        }
    }

    @Test
    void anAdmittedInstitutionAnchorsHeadsThatReadBackInBothRegistries() throws Exception {
        List<AnchorLeaf> heads = heads("anchor", 3);
        long before = asOperator.count().send().longValueExact();

        TransactionReceipt receipt = asStMary.anchor(root(heads), pseudonyms(heads), heights(heads), blockHashes(heads)).send();

        assertThat(receipt.isStatusOK()).isTrue();
        assertThat(AnchorRegistry.getAnchoredEvents(receipt)).singleElement()
                .satisfies(e -> assertThat(e.root).isEqualTo(root(heads)));
        assertThat(PatientRegistry.getHeadAnchoredEvents(receipt)).hasSize(3);
        var checkpoint = asOperator.checkpoint(BigInteger.valueOf(before)).send();
        assertThat(checkpoint.component1()).isEqualTo(root(heads));
        assertThat(checkpoint.component2()).isEqualTo(BigInteger.valueOf(3));
        assertThat(checkpoint.component4()).isEqualToIgnoringCase(address(DevChain.INSTITUTION_KEY));
        for (AnchorLeaf head : heads) {
            var found = patients.lookup(HexFormat.of().parseHex(head.pseudonym())).send();
            assertThat(found.component1()).isEqualTo(ST_MARY);
            assertThat(found.component2()).isEqualTo(head.blockHash());
            assertThat(found.component3()).isEqualTo(BigInteger.valueOf(head.height()));
        }
    }

    @Test
    void whatDoesNotAddUpOrComesFromAStrangerIsRefusedAndChangesNothing() throws Exception {
        List<AnchorLeaf> heads = heads("refused", 2);
        long before = asOperator.count().send().longValueExact();

        byte[] wrongRoot = sha256("not the root");
        assertThatThrownBy(() -> asStMary.anchor(wrongRoot, pseudonyms(heads), heights(heads), blockHashes(heads)).send())
                .isInstanceOf(Exception.class);
        assertThatThrownBy(() -> asStMary.anchor(root(heads), pseudonyms(heads), heights(heads).subList(0, 1),
                blockHashes(heads)).send()).isInstanceOf(Exception.class);
        AnchorRegistry asStranger = AnchorRegistry.load(asOperator.getContractAddress(), web3j, sender(DevChain.OTHER_INSTITUTION_KEY),
                new DefaultGasProvider());
        assertThatThrownBy(() -> asStranger.anchor(root(heads), pseudonyms(heads), heights(heads), blockHashes(heads)).send())
                .isInstanceOf(Exception.class);
        assertThatThrownBy(() -> asStranger.setInstitution(address(DevChain.OTHER_INSTITUTION_KEY), NORTH_CLINIC).send())
                .isInstanceOf(Exception.class);
        PatientRegistry patientsAsStranger = PatientRegistry.load(patients.getContractAddress(), web3j,
                sender(DevChain.OTHER_INSTITUTION_KEY), new DefaultGasProvider());
        assertThatThrownBy(() -> patientsAsStranger.recordHeads(address(DevChain.OTHER_INSTITUTION_KEY), pseudonyms(heads), heights(heads),
                blockHashes(heads)).send()).isInstanceOf(Exception.class);

        assertThat(asOperator.count().send().longValueExact()).isEqualTo(before);
        assertThatThrownBy(() -> patients.lookup(pseudonyms(heads).get(0)).send()).isInstanceOf(Exception.class);
    }

    @Test
    void anAdmittedInstitutionPublishesItsJwkSetAndTheListShowsOnlyAdmittedInstitutions() throws Exception {
        String account = address(DevChain.TEST_INSTITUTION_KEY);
        AnchorRegistry asTester = AnchorRegistry.load(asOperator.getContractAddress(), web3j, sender(DevChain.TEST_INSTITUTION_KEY),
                new DefaultGasProvider());
        String jwks = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"tester-1\",\"x\":\"x\",\"y\":\"y\"}]}";
        assertThatThrownBy(() -> asTester.publishKeys(jwks).send()).as("not admitted yet").isInstanceOf(Exception.class);

        asOperator.setInstitution(account, "https://tester.example/").send();
        assertThat(admitted()).contains(account.toLowerCase());
        assertThatThrownBy(() -> asTester.publishKeys("").send()).as("empty").isInstanceOf(Exception.class);
        asTester.publishKeys(jwks).send();
        assertThat(asOperator.jwks(account).send()).isEqualTo(jwks);
        assertThatThrownBy(() -> asOperator.publishKeys(jwks).send()).as("the operator is no institution").isInstanceOf(Exception.class);

        asOperator.removeInstitution(account).send();
        assertThat(admitted()).doesNotContain(account.toLowerCase());
        assertThatThrownBy(() -> asTester.publishKeys(jwks).send()).as("removed").isInstanceOf(Exception.class);
        asOperator.setInstitution(account, "https://tester.example/v2/").send();
        assertThat(admitted())
                .filteredOn(a -> a.equals(account.toLowerCase())).hasSize(1);
        asOperator.removeInstitution(account).send();
    }

    private static List<String> admitted() throws Exception {
        List<?> accounts = asOperator.institutions().send();
        return accounts.stream().map(a -> a.toString().toLowerCase()).toList();
    }

    @Test
    void theLatestAnchoredHeadWinsAndNamesItsInstitution() throws Exception {
        asOperator.setInstitution(address(DevChain.OTHER_INSTITUTION_KEY), NORTH_CLINIC).send();
        AnchorRegistry asNorthClinic = AnchorRegistry.load(asOperator.getContractAddress(), web3j, sender(DevChain.OTHER_INSTITUTION_KEY),
                new DefaultGasProvider());
        byte[] pseudonym = sha256("a patient who moves");
        AnchorLeaf atStMary = new AnchorLeaf(HexFormat.of().formatHex(pseudonym), 4, sha256("head 4"));
        AnchorLeaf atNorthClinic = new AnchorLeaf(HexFormat.of().formatHex(pseudonym), 7, sha256("head 7"));

        asStMary.anchor(root(List.of(atStMary)), pseudonyms(List.of(atStMary)), heights(List.of(atStMary)),
                blockHashes(List.of(atStMary))).send();
        asNorthClinic.anchor(root(List.of(atNorthClinic)), pseudonyms(List.of(atNorthClinic)), heights(List.of(atNorthClinic)),
                blockHashes(List.of(atNorthClinic))).send();

        var found = patients.lookup(pseudonym).send();
        assertThat(found.component1()).isEqualTo(NORTH_CLINIC);
        assertThat(found.component2()).isEqualTo(sha256("head 7"));
        assertThat(found.component3()).isEqualTo(BigInteger.valueOf(7));
        assertThat(found.component4()).isEqualToIgnoringCase(address(DevChain.OTHER_INSTITUTION_KEY));

        asOperator.removeInstitution(address(DevChain.OTHER_INSTITUTION_KEY)).send();
        assertThatThrownBy(() -> asNorthClinic.anchor(root(List.of(atNorthClinic)), pseudonyms(List.of(atNorthClinic)),
                heights(List.of(atNorthClinic)), blockHashes(List.of(atNorthClinic))).send()).isInstanceOf(Exception.class);
    }
}
