package org.phrcloud.ledger.verify;

import org.phrcloud.ledger.anchor.ChainExport;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Checks an exported anchor against a JSON-RPC node of the chain: the node's chain id is the anchor's; the
 * transaction's receipt exists, succeeded, was sent to the AnchorRegistry the export names, in the block it names;
 * that contract emitted {@code Anchored} with the root in that transaction; and the registry's checkpoint of that
 * index holds the same root and tree size now. Reads only (eth_chainId, eth_getTransactionReceipt, eth_call).
 */
public final class OnChainAnchors implements ChainExportVerifier.AnchorEvidence {
    private final Web3j web3j;
    private Long chainId;

    public OnChainAnchors(Web3j web3j) {
        this.web3j = web3j;
    }

    @Override
    public List<String> check(ChainExport.ExportedAnchor anchor) {
        List<String> problems = new ArrayList<>();
        try {
            if (chainId == null) {
                chainId = web3j.ethChainId().send().getChainId().longValueExact();
            }
            if (chainId != anchor.chainId()) {
                problems.add("sent on chain " + anchor.chainId() + ", the node serves chain " + chainId);
                return problems;
            }
            Optional<TransactionReceipt> found = web3j.ethGetTransactionReceipt(anchor.txHash()).send().getTransactionReceipt();
            if (found.isEmpty()) {
                problems.add("the node knows no such transaction");
                return problems;
            }
            TransactionReceipt receipt = found.get();
            if (!receipt.isStatusOK()) {
                problems.add("the transaction failed on chain");
            }
            if (!anchor.contract().equalsIgnoreCase(receipt.getTo())) {
                problems.add("the transaction went to " + receipt.getTo() + ", not to " + anchor.contract());
            }
            if (receipt.getBlockNumber().longValueExact() != anchor.blockNumber()) {
                problems.add("mined in block " + receipt.getBlockNumber() + ", not " + anchor.blockNumber());
            }
            byte[] root = HexFormat.of().parseHex(anchor.root());
            AnchorRegistry.AnchoredEventResponse event = null;
            for (Log log : receipt.getLogs()) {
                if (anchor.contract().equalsIgnoreCase(log.getAddress()) && !log.getTopics().isEmpty()
                        && log.getTopics().get(0).equals(org.web3j.abi.EventEncoder.encode(AnchorRegistry.ANCHORED_EVENT))) {
                    event = AnchorRegistry.getAnchoredEventFromLog(log);
                }
            }
            if (event == null || !java.util.Arrays.equals(event.root, root)) {
                problems.add("the transaction did not anchor this root");
                return problems;
            }
            var checkpoint = AnchorRegistry.load(anchor.contract(), web3j, new ReadonlyTransactionManager(web3j, null),
                    new DefaultGasProvider()).checkpoint(event.index).send();
            if (!java.util.Arrays.equals(checkpoint.component1(), root)
                    || !checkpoint.component2().equals(BigInteger.valueOf(anchor.treeSize()))) {
                problems.add("the registry's checkpoint " + event.index + " holds another root or tree size");
            }
        } catch (IOException e) {
            problems.add("the node did not answer (" + e.getMessage() + ")");
        } catch (Exception e) {
            problems.add("the node's answer does not read (" + e.getMessage() + ")");
        }
        return problems;
    }
}
