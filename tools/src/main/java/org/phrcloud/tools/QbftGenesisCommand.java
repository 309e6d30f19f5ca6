package org.phrcloud.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.rlp.RlpEncoder;
import org.web3j.rlp.RlpList;
import org.web3j.rlp.RlpString;
import org.web3j.rlp.RlpType;
import org.web3j.utils.Numeric;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Makes a Besu QBFT network for the chart ({@code helm/phr}, {@code besu.*}): one secp256k1 node key per validator
 * and the genesis whose {@code extraData} names the validators (block header validator selection).
 *
 * <pre>
 * java -cp ... org.phrcloud.tools.QbftGenesisCommand --validators 4 --chain-id 2026 --out target/qbft
 * </pre>
 * writes into {@code --out}: {@code genesis.json}; {@code validator-0} ... (each node's private key, hex, mode 600:
 * the Secret {@code besu.nodeKeys.existingSecret}); {@code values-besu.yaml} (the validators' public keys for
 * {@code besu.nodePublicKeys}). Exit 0 when written, 2 for wrong arguments.
 *
 * <p>The network is free of gas (a permissioned chain where institutions anchor): {@code zeroBaseFee}, every
 * fork from block 0 through Shanghai (solc 0.8.20 and later emit PUSH0), a gas limit of 0x1fffffffffffff. Besu runs
 * with {@code --min-gas-price=0}.
 */
public final class QbftGenesisCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private QbftGenesisCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** @return the exit status: 0 written, 2 wrong arguments, 1 failed */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        int validators = 4;
        long chainId = 2026;
        Path folder = null;
        if (args.length % 2 != 0) {
            err.println("usage: QbftGenesisCommand [--validators N (4 or more)] [--chain-id ID] --out FOLDER");
            return 2;
        }
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--validators" -> validators = Integer.parseInt(args[i + 1]);
                case "--chain-id" -> chainId = Long.parseLong(args[i + 1]);
                case "--out" -> folder = Path.of(args[i + 1]);
                default -> {
                    err.println("unknown option " + args[i]);
                    return 2;
                }
            }
        }
        if (folder == null || validators < 4) {
            err.println("usage: QbftGenesisCommand [--validators N (4 or more: QBFT tolerates f faulty of 3f+1)] [--chain-id ID] --out FOLDER");
            return 2;
        }
        try {
            Files.createDirectories(folder);
            List<String> addresses = new ArrayList<>();
            StringBuilder values = new StringBuilder("besu:\n  validators: " + validators + "\n  chainId: " + chainId + "\n  nodePublicKeys:\n");
            for (int i = 0; i < validators; i++) {
                ECKeyPair key = Keys.createEcKeyPair();
                SecretFile.write(folder.resolve("validator-" + i), Numeric.toHexStringWithPrefixZeroPadded(key.getPrivateKey(), 64));
                addresses.add(Keys.getAddress(key.getPublicKey()));
                values.append("    - \"").append(Numeric.toHexStringNoPrefixZeroPadded(key.getPublicKey(), 128)).append("\"\n");
            }
            Files.writeString(folder.resolve("genesis.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(genesis(chainId, addresses)));
            Files.writeString(folder.resolve("values-besu.yaml"), values.toString());
            out.println("QBFT network of " + validators + " validators, chain id " + chainId + ", written to " + folder);
            return 0;
        } catch (IOException | GeneralSecurityException e) {
            err.println("PHR-TOOLS-0601: the QBFT network could not be written: " + e.getMessage());
            return 1;
        }
    }

    /**
     * The QBFT {@code extraData} of a genesis block with block header validator selection: the RLP list
     * {@code [32-byte vanity, [validator addresses], [] (no vote), round 0 (empty bytes), [] (no seals)]}
     * (Besu documentation, "Configure QBFT consensus", genesis file).
     *
     * @param validators the validators' addresses, 20 bytes each as hex (with or without 0x), in order
     * @return {@code 0x} and the hex of the RLP encoding
     */
    public static String extraData(List<String> validators) {
        List<RlpType> addresses = validators.stream().map(a -> (RlpType) RlpString.create(HexFormat.of().parseHex(Numeric.cleanHexPrefix(a))))
                .toList();
        RlpList extra = new RlpList(RlpString.create(new byte[32]), new RlpList(addresses), new RlpList(), RlpString.create(new byte[0]),
                new RlpList());
        return Numeric.toHexString(RlpEncoder.encode(extra));
    }

    /** @return a free-gas QBFT genesis for the validators ({@link #extraData}) */
    static ObjectNode genesis(long chainId, List<String> validators) {
        ObjectNode genesis = JSON.createObjectNode();
        ObjectNode config = genesis.putObject("config");
        config.put("chainId", chainId);
        for (String fork : List.of("homesteadBlock", "eip150Block", "eip155Block", "eip158Block", "byzantiumBlock", "constantinopleBlock",
                "petersburgBlock", "istanbulBlock", "berlinBlock", "londonBlock")) {
            config.put(fork, 0);
        }
        config.put("shanghaiTime", 0);
        config.put("zeroBaseFee", true);
        ObjectNode qbft = config.putObject("qbft");
        qbft.put("epochlength", 30000);
        qbft.put("blockperiodseconds", 2);
        qbft.put("requesttimeoutseconds", 4);
        genesis.put("nonce", "0x0");
        genesis.put("timestamp", "0x0");
        genesis.put("extraData", extraData(validators));
        genesis.put("gasLimit", "0x1fffffffffffff");
        genesis.put("difficulty", "0x1");
        genesis.put("mixHash", "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365");
        genesis.put("coinbase", "0x0000000000000000000000000000000000000000");
        genesis.putObject("alloc");
        return genesis;
    }
}
