package org.phrcloud.ledger.anchor;

import org.web3j.crypto.Credentials;

/**
 * The development chain: anvil's chain id and the two of its public, well-known development accounts the platform
 * uses on it, written down once for {@code ./phr}, the test fixtures and the contract deployment tool. They are
 * published with anvil (and Hardhat) and hold value on no real chain; the server never reads them: a real
 * deployment gives the institution's own anchoring key ({@code PHR_CHAIN_SENDER_KEY[_FILE]}) and the network
 * operator deploys the registries with theirs.
 */
public final class DevChain {
    /** anvil's default chain id. */
    public static final long CHAIN_ID = 31337;
    /** Account 0: the network operator that deploys the registries and admits institutions. */
    public static final String OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    /** Account 1: the demo institution's anchoring account ({@code PHR_CHAIN_SENDER_KEY}). */
    public static final String INSTITUTION_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    /** Account 2: a second institution, for tests of what another member may and may not do. */
    public static final String OTHER_INSTITUTION_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
    /** anvil's account 3: an institution the tests admit, publish keys for and remove again (federation refusals). */
    public static final String TEST_INSTITUTION_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

    private DevChain() {
    }

    /** @return the address (0x, checksum-free lowercase) of a development key */
    public static String address(String key) {
        return Credentials.create(key).getAddress();
    }
}
