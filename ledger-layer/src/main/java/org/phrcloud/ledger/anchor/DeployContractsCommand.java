package org.phrcloud.ledger.anchor;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.anchor.contracts.PatientRegistry;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Deploys the ledger contracts once and writes where they are, for {@code ./phr up} and the integration tests:
 * <pre>
 *   DeployContractsCommand --rpc URL --state FILE        (the deployer's key in PHR_CHAIN_SENDER_KEY)
 * </pre>
 * The state FILE (JSON: {@code chainId}, {@code anchorRegistry}, {@code patientRegistry}) is kept when the chain
 * still has code at both addresses; otherwise both contracts are deployed again. The deployer becomes the
 * contracts' owner and its first registered institution account.
 */
public final class DeployContractsCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeployContractsCommand() {
    }

    /** Where the contracts are. */
    public record Deployed(long chainId, String anchorRegistry, String patientRegistry) {
    }

    public static void main(String[] args) throws Exception {
        String rpc = null;
        Path state = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rpc" -> rpc = args[i + 1];
                case "--state" -> state = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("usage: DeployContractsCommand --rpc URL --state FILE");
            }
        }
        String key = System.getenv("PHR_CHAIN_SENDER_KEY");
        if (rpc == null || state == null || key == null || key.isBlank()) {
            throw new IllegalArgumentException("usage: PHR_CHAIN_SENDER_KEY=0x... DeployContractsCommand --rpc URL --state FILE");
        }
        Web3j web3j = Web3j.build(new HttpService(rpc));
        try {
            Deployed deployed = deploy(web3j, Credentials.create(key.trim()), state);
            System.out.println(JSON.writeValueAsString(deployed));
        } finally {
            web3j.shutdown();
        }
    }

    /** Deploys both contracts unless the state file names live ones; writes the state file. */
    public static Deployed deploy(Web3j web3j, Credentials deployer, Path state) throws Exception {
        long chainId = web3j.ethChainId().send().getChainId().longValueExact();
        if (Files.exists(state)) {
            Deployed known = JSON.readValue(state.toFile(), Deployed.class);
            if (known.chainId() == chainId && hasCode(web3j, known.anchorRegistry()) && hasCode(web3j, known.patientRegistry())) {
                return known;
            }
        }
        TransactionManager tx = new RawTransactionManager(web3j, deployer, chainId, new PollingTransactionReceiptProcessor(web3j, 200, 300));
        String anchors = AnchorRegistry.deploy(web3j, tx, new DefaultGasProvider()).send().getContractAddress();
        String patients = PatientRegistry.deploy(web3j, tx, new DefaultGasProvider()).send().getContractAddress();
        Deployed deployed = new Deployed(chainId, anchors, patients);
        Files.createDirectories(state.toAbsolutePath().getParent());
        JSON.writerWithDefaultPrettyPrinter().writeValue(state.toFile(), deployed);
        return deployed;
    }

    private static boolean hasCode(Web3j web3j, String address) throws Exception {
        String code = web3j.ethGetCode(address, DefaultBlockParameterName.LATEST).send().getCode();
        return code != null && code.length() > 2;
    }

}
