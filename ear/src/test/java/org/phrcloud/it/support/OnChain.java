package org.phrcloud.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.anchor.contracts.PatientRegistry;
import org.phrcloud.tools.VerifyCommand;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the integration tests read on the platform's chain (anvil): the AnchorRegistry's anchors, a patient's chain
 * heads in the PatientRegistry, and the standalone verifier's answer on an exported chain.
 */
public final class OnChain {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OnChain() {
    }

    /**
     * Asserts that every anchor is registered once: the AnchorRegistry's {@code Anchored} events carry distinct Merkle
     * roots, as many as its {@code count()}.
     *
     * @return the number of anchors on chain
     */
    public static int assertEveryAnchorRegisteredOnce(Platform platform) throws Exception {
        Web3j web3j = Web3j.build(new HttpService(platform.anvilUrl()));
        try {
            String anchorRegistry = System.getProperty("phr.it.anchor.contract");
            List<String> roots = new ArrayList<>();
            for (Log log : logs(web3j, anchorRegistry, EventEncoder.encode(AnchorRegistry.ANCHORED_EVENT), null)) {
                roots.add(HexFormat.of().formatHex(AnchorRegistry.getAnchoredEventFromLog(log).root));
            }
            long count = AnchorRegistry.load(anchorRegistry, web3j, new ReadonlyTransactionManager(web3j, null),
                    new DefaultGasProvider()).count().send().longValueExact();
            assertThat(roots).hasSize((int) count).doesNotHaveDuplicates();
            return roots.size();
        } finally {
            web3j.shutdown();
        }
    }

    /** The heights at which a patient's chain heads were registered ({@code HeadAnchored} events), in chain order. */
    public static List<Long> headHeights(Platform platform, String pseudonym) throws Exception {
        return headAnchors(platform, pseudonym).stream().map(HeadAnchor::height).toList();
    }

    /** One {@code HeadAnchored} event: the head's height and the anchor transaction that registered it. */
    public record HeadAnchor(long height, String transactionHash) {
    }

    /** A patient's {@code HeadAnchored} events in the PatientRegistry, in chain order. */
    public static List<HeadAnchor> headAnchors(Platform platform, String pseudonym) throws Exception {
        Web3j web3j = Web3j.build(new HttpService(platform.anvilUrl()));
        try {
            List<HeadAnchor> anchors = new ArrayList<>();
            for (Log log : logs(web3j, platform.patientRegistry(), EventEncoder.encode(PatientRegistry.HEADANCHORED_EVENT),
                    "0x" + pseudonym)) {
                anchors.add(new HeadAnchor(PatientRegistry.getHeadAnchoredEventFromLog(log).height.longValueExact(), log.getTransactionHash()));
            }
            return anchors;
        } finally {
            web3j.shutdown();
        }
    }

    /** The standalone verifier's exit status (0 valid, 1 problems, 2 bad input) and its JSON report. */
    public record Verified(int status, JsonNode report) {
    }

    /**
     * Runs the standalone verifier ({@link VerifyCommand}) on an exported chain with the institution's published keys
     * and, when given, a Bundle of the patient's resources, against the platform's chain node.
     */
    public static Verified verify(Platform platform, String export, String keys, String bundle) throws Exception {
        Path exportFile = Files.createTempFile("chain", ".json");
        Path keysFile = Files.createTempFile("keys", ".json");
        Files.writeString(exportFile, export);
        Files.writeString(keysFile, keys);
        List<String> args = new ArrayList<>(List.of("--export", exportFile.toString(), "--keys", keysFile.toString(),
                "--rpc", platform.anvilUrl()));
        if (bundle != null) {
            Path bundleFile = Files.createTempFile("record", ".json");
            Files.writeString(bundleFile, bundle);
            args.addAll(List.of("--bundle", bundleFile.toString()));
        }
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        int status = VerifyCommand.run(args.toArray(String[]::new), new PrintStream(report, true), System.err);
        return new Verified(status, status == 2 ? JSON.createObjectNode().put("usage", report.toString()) : JSON.readTree(report.toString()));
    }

    private static List<Log> logs(Web3j web3j, String address, String topic, String indexed) throws Exception {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.ZERO), DefaultBlockParameterName.LATEST, address)
                .addSingleTopic(topic);
        if (indexed != null) {
            filter.addSingleTopic(indexed);
        }
        EthLog result = web3j.ethGetLogs(filter).send();
        List<Log> logs = new ArrayList<>();
        for (EthLog.LogResult<?> r : result.getLogs()) {
            logs.add((Log) r.get());
        }
        return logs;
    }
}
