package org.phrcloud.tools;


import com.fasterxml.jackson.databind.ObjectMapper;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.utils.Numeric;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.phrcloud.ledger.anchor.DevChain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Deploys the ledger contracts once, admits institution accounts, and writes where the contracts are, for
 * {@code ./phr up} and the integration tests:
 * <pre>
 *   PHR_CHAIN_OPERATOR_KEY=0x... DeployContractsCommand --rpc URL --state FILE [--admit ADDRESS=ENDPOINT]...
 *   DeployContractsCommand --rpc URL --state FILE --dev-chain ENDPOINT --sender-key-file FILE
 * </pre>
 * With {@code --dev-chain} (anvil, chain id {@value DevChain#CHAIN_ID} only) the operator and the institution are anvil's
 * development accounts ({@link DevChain}): the institution's account is admitted with ENDPOINT and its key written to
 * the sender key file (mode 600) that the server reads as {@code PHR_CHAIN_SENDER_KEY_FILE}.
 * The operator (the network's owner of the contracts) deploys {@code AnchorRegistry}, which creates its
 * {@code PatientRegistry} and {@code ConsentRegistry}, and admits each institution's anchoring account with the base URL of its deployment
 * ({@code AnchorRegistry.setInstitution}). The state FILE (JSON: {@code chainId}, {@code anchorRegistry},
 * {@code patientRegistry}, {@code consentRegistry}, {@code code}) is kept when the chain still has code at its address and that code was
 * built from the same contract sources ({@code code} = Keccak-256 of the deployment bytecode); otherwise the contracts
 * are deployed again. Admissions are re-checked on every run and only sent when missing or changed.
 */
public final class DeployContractsCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeployContractsCommand() {
    }

    /**
     * Where the contracts are.
     *
     * @param code Keccak-256 (hex) of the AnchorRegistry deployment bytecode the contracts were deployed from
     */
    public record Deployed(long chainId, String anchorRegistry, String patientRegistry, String consentRegistry, String code) {
    }

    public static void main(String[] args) throws Exception {
        String rpc = null;
        Path state = null;
        String devChainEndpoint = null;
        Path senderKeyFile = null;
        Map<String, String> admit = new LinkedHashMap<>();
        String usage = "usage: PHR_CHAIN_OPERATOR_KEY=0x... DeployContractsCommand --rpc URL --state FILE [--admit ADDRESS=ENDPOINT]...\n"
                + "   or: DeployContractsCommand --rpc URL --state FILE --dev-chain ENDPOINT --sender-key-file FILE";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rpc" -> rpc = args[i + 1];
                case "--state" -> state = Path.of(args[i + 1]);
                case "--dev-chain" -> devChainEndpoint = args[i + 1];
                case "--sender-key-file" -> senderKeyFile = Path.of(args[i + 1]);
                case "--admit" -> {
                    String[] parts = args[i + 1].split("=", 2);
                    if (parts.length != 2) {
                        throw new IllegalArgumentException(usage);
                    }
                    admit.put(parts[0], parts[1]);
                }
                default -> throw new IllegalArgumentException(usage);
            }
        }
        String key = System.getenv("PHR_CHAIN_OPERATOR_KEY");
        if (rpc == null || state == null || (devChainEndpoint == null) != (senderKeyFile == null)
                || devChainEndpoint == null && (key == null || key.isBlank()) || devChainEndpoint != null && !admit.isEmpty()) {
            throw new IllegalArgumentException(usage);
        }
        Web3j web3j = Web3j.build(new HttpService(rpc));
        try {
            Deployed deployed = devChainEndpoint != null ? deployOnDevChain(web3j, state, devChainEndpoint, senderKeyFile)
                    : deploy(web3j, Credentials.create(key.trim()), state, admit);
            System.out.println(JSON.writeValueAsString(deployed));
        } finally {
            web3j.shutdown();
        }
    }

    /**
     * {@link #deploy} on anvil's development chain: the operator and the institution are anvil's development accounts
     * ({@link DevChain}); the institution's account is admitted with {@code endpoint} and its key written to
     * {@code senderKeyFile} (mode 600), which the server reads as {@code PHR_CHAIN_SENDER_KEY_FILE}.
     *
     * @throws IllegalStateException on a chain other than anvil's ({@value DevChain#CHAIN_ID}): the keys are public
     */
    public static Deployed deployOnDevChain(Web3j web3j, Path state, String endpoint, Path senderKeyFile) throws Exception {
        if (web3j.ethChainId().send().getChainId().longValueExact() != DevChain.CHAIN_ID) {
            throw new IllegalStateException("--dev-chain uses public development keys: only on anvil's chain " + DevChain.CHAIN_ID);
        }
        Deployed deployed = deploy(web3j, Credentials.create(DevChain.OPERATOR_KEY), state,
                Map.of(DevChain.address(DevChain.INSTITUTION_KEY), endpoint));
        SecretFile.write(senderKeyFile, DevChain.INSTITUTION_KEY);
        return deployed;
    }

    /**
     * Deploys the contracts unless the state file names live ones of the same code; admits the institutions; writes
     * the state file.
     *
     * @param admit institution account address -> endpoint (the base URL of its deployment)
     */
    public static Deployed deploy(Web3j web3j, Credentials operator, Path state, Map<String, String> admit) throws Exception {
        long chainId = web3j.ethChainId().send().getChainId().longValueExact();
        String code = Numeric.toHexString(Hash.sha3(AnchorRegistry.BINARY.getBytes(StandardCharsets.US_ASCII)));
        TransactionManager tx = new RawTransactionManager(web3j, operator, chainId, new PollingTransactionReceiptProcessor(web3j, 200, 300));
        Deployed deployed = null;
        if (Files.exists(state)) {
            Deployed known = JSON.readValue(state.toFile(), Deployed.class);
            if (known.chainId() == chainId && code.equals(known.code()) && hasCode(web3j, known.anchorRegistry())) {
                deployed = known;
            }
        }
        AnchorRegistry registry;
        if (deployed == null) {
            registry = AnchorRegistry.deploy(web3j, tx, new DefaultGasProvider()).send();
            deployed = new Deployed(chainId, registry.getContractAddress(), registry.patientRegistry().send(),
                    registry.consentRegistry().send(), code);
            Files.createDirectories(state.toAbsolutePath().getParent());
            JSON.writerWithDefaultPrettyPrinter().writeValue(state.toFile(), deployed);
        } else {
            registry = AnchorRegistry.load(deployed.anchorRegistry(), web3j, tx, new DefaultGasProvider());
        }
        for (Map.Entry<String, String> institution : admit.entrySet()) {
            if (!institution.getValue().equals(registry.endpoints(institution.getKey()).send())) {
                if (!registry.setInstitution(institution.getKey(), institution.getValue()).send().isStatusOK()) {
                    throw new IllegalStateException("PHR-LEDGER-0507: admitting " + institution.getKey() + " failed");
                }
            }
        }
        return deployed;
    }

    private static boolean hasCode(Web3j web3j, String address) throws Exception {
        String code = web3j.ethGetCode(address, DefaultBlockParameterName.LATEST).send().getCode();
        return code != null && code.length() > 2;
    }
}
