package org.phrcloud.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Sign;
import org.web3j.rlp.RlpDecoder;
import org.web3j.rlp.RlpList;
import org.web3j.rlp.RlpString;
import org.web3j.utils.Numeric;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class QbftGenesisCommandTest {
    @Test
    void theExtraDataOfTheBesuDocumentationsExampleIsEncodedByteForByte() {
        // Besu documentation, "Configure QBFT consensus", genesis file with block header validator selection
        assertThat(QbftGenesisCommand.extraData(List.of("0x64a702e6263b7297a96638cac6ae65e6541f4169", "0x3923390ad55e90c237593b3b0e401f3b08a03185",
                "0xaefdb9a738c9f433e5b6b212a6d62f6370c2f692", "0xc7eeb9a4e00ce683cf93039b212648e01c6c6b78")))
                .isEqualTo("0xf87aa00000000000000000000000000000000000000000000000000000000000000000f8549464a702e6263b7297a96638cac6ae65e6541f4169"
                        + "943923390ad55e90c237593b3b0e401f3b08a0318594aefdb9a738c9f433e5b6b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0");
        // ... and with contract validator selection (no validators in the header)
        assertThat(QbftGenesisCommand.extraData(List.of()))
                .isEqualTo("0xe5a00000000000000000000000000000000000000000000000000000000000000000c0c080c0");
    }

    @Test
    void aNetworkOfFourValidatorsHasTheirKeysTheirAddressesInTheGenesisAndTheirPublicKeysForTheChart(@TempDir Path out) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = QbftGenesisCommand.run(new String[]{"--validators", "4", "--chain-id", "2026", "--out", out.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertThat(status).as(err.toString()).isZero();

        List<String> addresses = new ArrayList<>();
        List<String> publicKeys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path key = out.resolve("validator-" + i);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
            String privateKey = Files.readString(key).trim();
            assertThat(privateKey).matches("0x[0-9a-f]{64}");
            addresses.add(Credentials.create(privateKey).getAddress());
            BigInteger publicKey = Sign.publicKeyFromPrivate(Numeric.toBigInt(privateKey));
            publicKeys.add(Numeric.toHexStringNoPrefixZeroPadded(publicKey, 128));
        }
        assertThat(addresses).doesNotHaveDuplicates();

        JsonNode genesis = new ObjectMapper().readTree(out.resolve("genesis.json").toFile());
        assertThat(genesis.path("config").path("chainId").asLong()).isEqualTo(2026);
        assertThat(genesis.path("config").path("zeroBaseFee").asBoolean()).isTrue();
        assertThat(genesis.path("config").path("shanghaiTime").asLong()).isZero();
        assertThat(genesis.path("config").path("qbft").path("blockperiodseconds").asInt()).isEqualTo(2);
        RlpList extra = (RlpList) RlpDecoder.decode(Numeric.hexStringToByteArray(genesis.path("extraData").asText())).getValues().get(0);
        assertThat(extra.getValues()).hasSize(5);
        assertThat(((RlpString) extra.getValues().get(0)).getBytes()).isEqualTo(new byte[32]);
        List<String> inGenesis = ((RlpList) extra.getValues().get(1)).getValues().stream()
                .map(v -> Numeric.toHexString(((RlpString) v).getBytes())).toList();
        assertThat(inGenesis).isEqualTo(addresses);

        String values = Files.readString(out.resolve("values-besu.yaml"));
        assertThat(values).startsWith("besu:\n  validators: 4\n  chainId: 2026\n  nodePublicKeys:\n");
        for (String publicKey : publicKeys) {
            assertThat(values).contains("    - \"" + publicKey + "\"\n");
        }
    }

    @Test
    void fewerThanFourValidatorsAreRefused(@TempDir Path out) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(QbftGenesisCommand.run(new String[]{"--validators", "3", "--out", out.toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString()).contains("4 or more");
    }
}
