package org.phrcloud.ledger.anchor;

import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.merkle.MerkleTree;
import org.phrcloud.database.JdbcTransactions;
import org.phrcloud.database.Lease;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

import javax.sql.DataSource;
import java.io.IOException;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Drains the ledger outbox into anchors (ARCHITECTURE.md write path step 5): each round makes ONE transaction to
 * {@code AnchorRegistry.anchor(root, pseudonyms, heights, heads)} whose root is the RFC 9162 Merkle root over the
 * heads of every chain with unanchored blocks ({@link AnchorLeaf}); never one transaction per record. The contract
 * recomputes the root from the heads and records each head in the {@code PatientRegistry} (pseudonym -> home
 * institution and latest anchored head) in that same transaction.
 *
 * <p>One anchor carries at most {@code maxHeads} chain heads (the block gas limit bounds it: about 50,000 gas per
 * head registered for the first time (measured: 20.7 million for 400 new heads, within anvil's 30 million
 * with the 30 % margin the anchorer asks for), less per head updated). A larger backlog, e.g. after a long chain
 * outage, is anchored by further anchors in the same round, one after the other as each is confirmed, the chains
 * that have waited longest first.
 *
 * <p>No loss, no duplicate, across chain outages and restarts: an anchor is recorded in the database with its
 * signed transaction (nonce, hash) <em>before</em> it is sent, and at most one anchor is in flight. Every round
 * first settles the one in flight: a receipt confirms it (after checking the transaction hash, the target
 * contract and the status), no receipt means the same signed transaction is sent again (same nonce, same hash,
 * so it cannot be mined twice). A chain that does not answer leaves everything in the outbox. Before signing, the
 * call is tried with {@code eth_call}: a transaction the contract would refuse is not sent.
 *
 * <p>Consent states queued with {@link RegistryConsent#enqueue} ride with the anchor of their patient's chain:
 * {@code AnchorRegistry.anchorWithConsents} anchors the heads and records the states in the {@code ConsentRegistry}
 * in the same transaction, so they share its no-loss, no-duplicate bookkeeping (a consent state weighs
 * {@value #CONSENT_WEIGHT} heads against {@code maxHeads}).
 *
 * <p>{@link #runOnce} is called on a fixed interval by a scheduler in every replica of the server. With a
 * {@link Lease} (PostgreSQL with several replicas) only the replica holding the lease {@code anchoring} anchors: it
 * renews the lease at each round and inside the transaction that records an anchor (fencing), so there is one
 * sender and one nonce sequence at a time, and a survivor takes over within the lease's time to live after its
 * holder dies. Without a lease (one server on H2) every call anchors.
 */
public final class Anchorer {
    /** What a round did. */
    public enum Outcome { NOTHING_PENDING, CONFIRMED, SENT, WAITING, FAILED, CHAIN_UNREACHABLE, STANDBY }

    /**
     * @param outcome  what happened
     * @param anchorId the anchor concerned, or null
     * @param leaves   chain heads in that anchor's tree
     */
    public record Result(Outcome outcome, Long anchorId, int leaves) {
    }

    private static final BigInteger GAS_MARGIN_PERCENT = BigInteger.valueOf(130);

    private final DataSource dataSource;
    private final Web3j web3j;
    private final Credentials sender;
    private final long chainId;
    private final String contract;
    private final Clock clock;
    private final Duration receiptWait;
    private final int maxHeads;
    private final Lease lease;

    /** The default number of chain heads one anchor carries at most. */
    public static final int DEFAULT_MAX_HEADS = 400;

    /**
     * @param sender      the institution's secp256k1 account (admitted in the contract), from configuration
     * @param receiptWait how long a round waits for the receipt of what it sent, polling every 100 ms (bounded)
     */
    public Anchorer(DataSource dataSource, Web3j web3j, Credentials sender, long chainId, String contract, Clock clock,
                    Duration receiptWait) {
        this(dataSource, web3j, sender, chainId, contract, clock, receiptWait, DEFAULT_MAX_HEADS);
    }

    /** @param maxHeads chain heads per anchor at most, at least 1 */
    public Anchorer(DataSource dataSource, Web3j web3j, Credentials sender, long chainId, String contract, Clock clock,
                    Duration receiptWait, int maxHeads) {
        this(dataSource, web3j, sender, chainId, contract, clock, receiptWait, maxHeads, null);
    }

    /**
     * @param lease the lease {@code anchoring} every replica shares (its time to live longer than {@code receiptWait}
     *              plus a few JSON-RPC calls), or null when this is the only server of its database
     */
    public Anchorer(DataSource dataSource, Web3j web3j, Credentials sender, long chainId, String contract, Clock clock,
                    Duration receiptWait, int maxHeads, Lease lease) {
        if (maxHeads < 1) {
            throw new IllegalArgumentException("maxHeads must be at least 1");
        }
        this.dataSource = dataSource;
        this.web3j = web3j;
        this.sender = sender;
        this.chainId = chainId;
        this.contract = contract;
        this.clock = clock;
        this.receiptWait = receiptWait;
        this.maxHeads = maxHeads;
        this.lease = lease;
    }

    /**
     * One round: settle the anchor in flight, or anchor what is pending. When an anchor in flight from an earlier
     * round is confirmed, or an anchor was full ({@code maxHeads} heads) and is confirmed, the round goes on with
     * the next anchor (at most {@value #MAX_ANCHORS_PER_ROUND}). Chain errors do not throw.
     *
     * @return what the round's last anchor did; {@link Result#leaves()} counts the heads of all its anchors;
     *         {@link Outcome#STANDBY} when another replica holds the lease
     */
    public synchronized Result runOnce() {
        Result result = null;
        int leaves = 0;
        for (int i = 0; i < MAX_ANCHORS_PER_ROUND; i++) {
            if (!holdsLease()) {
                return new Result(Outcome.STANDBY, result == null ? null : result.anchorId(), leaves);
            }
            Optional<InFlight> inFlight = inFlight();
            Result next;
            try {
                next = inFlight.isPresent() ? settle(inFlight.get(), true) : anchorPending();
            } catch (NotRecorded e) {
                return new Result(Outcome.STANDBY, null, leaves);
            }
            if (next.outcome() == Outcome.NOTHING_PENDING && result != null) {
                break;
            }
            result = next;
            leaves += next.leaves();
            if (next.outcome() != Outcome.CONFIRMED || (inFlight.isEmpty() && next.leaves() < maxHeads)) {
                break;
            }
        }
        return new Result(result.outcome(), result.anchorId(), leaves);
    }

    /**
     * Publishes the institution's JWK Set on chain ({@code AnchorRegistry.publishKeys}, sent by this anchoring account,
     * ARCHITECTURE.md "Federation") unless the chain holds it already. Sent only by the lease holder and only while no
     * anchor is in flight, so it never takes the nonce of an anchor; waits for the receipt up to the receipt wait.
     * Chain errors do not throw.
     *
     * @param jwkSet the JWK Set JSON (RFC 7517 section 5), public keys only
     * @return true when the chain holds exactly this JWK Set afterwards; false to try again in a later round
     */
    public synchronized boolean publishKeys(String jwkSet) {
        if (!holdsLease() || inFlight().isPresent()) {
            return false;
        }
        try {
            AnchorRegistry registry = AnchorRegistry.load(contract, web3j, sender, new org.web3j.tx.gas.DefaultGasProvider());
            if (jwkSet.equals(registry.jwks(sender.getAddress()).send())) {
                return true;
            }
            String data = FunctionEncoder.encode(new Function("publishKeys",
                    List.of(new org.web3j.abi.datatypes.Utf8String(jwkSet)), List.of()));
            EthSendTransaction sent = web3j.ethSendRawTransaction(Numeric.toHexString(signedCall(data).bytes())).send();
            if (sent.hasError()) {
                return false;
            }
            Instant deadline = clock.instant().plus(receiptWait);
            while (true) {
                Optional<TransactionReceipt> receipt = web3j.ethGetTransactionReceipt(sent.getTransactionHash()).send()
                        .getTransactionReceipt();
                if (receipt.isPresent()) {
                    return receipt.get().isStatusOK();
                }
                if (clock.instant().isAfter(deadline)) {
                    return false;
                }
                Thread.sleep(100);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    /** A signed transaction calling the contract: its nonce and its bytes. */
    private record SignedCall(BigInteger nonce, byte[] bytes) {
    }

    /** Signs a call of the contract with the sender's next nonce (pending ones counted) and the estimated gas plus margin. */
    private SignedCall signedCall(String data) throws IOException {
        BigInteger nonce = web3j.ethGetTransactionCount(sender.getAddress(), DefaultBlockParameterName.PENDING).send()
                .getTransactionCount();
        BigInteger gasPrice = web3j.ethGasPrice().send().getGasPrice();
        BigInteger gas = web3j.ethEstimateGas(Transaction.createFunctionCallTransaction(sender.getAddress(), nonce, gasPrice,
                null, contract, data)).send().getAmountUsed().multiply(GAS_MARGIN_PERCENT).divide(BigInteger.valueOf(100));
        return new SignedCall(nonce, TransactionEncoder.signMessage(RawTransaction.createTransaction(nonce, gasPrice, gas, contract, data),
                chainId, sender));
    }

    private boolean holdsLease() {
        return lease == null || lease.acquire();
    }

    /**
     * Nothing was recorded: the lease ran out or was taken between the round's start and the recording of an anchor,
     * or another anchor is in flight.
     */
    private static final class NotRecorded extends RuntimeException {
        NotRecorded() {
            super(null, null, false, false);
        }
    }

    /** Anchors per round at most. */
    public static final int MAX_ANCHORS_PER_ROUND = 50;

    private Result anchorPending() {
        Optional<InFlight> prepared;
        try {
            prepared = prepare();
        } catch (IOException e) {
            return new Result(Outcome.CHAIN_UNREACHABLE, null, 0);
        }
        if (prepared.isEmpty()) {
            return new Result(Outcome.NOTHING_PENDING, null, 0);
        }
        InFlight anchor = prepared.get();
        try {
            send(anchor);
        } catch (IOException e) {
            return new Result(Outcome.CHAIN_UNREACHABLE, anchor.id, anchor.leaves);
        }
        Instant deadline = clock.instant().plus(receiptWait);
        while (true) {
            Result r = settle(anchor, false);
            if (r.outcome() != Outcome.WAITING || clock.instant().isAfter(deadline)) {
                return r.outcome() == Outcome.WAITING ? new Result(Outcome.SENT, anchor.id, anchor.leaves) : r;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(Outcome.SENT, anchor.id, anchor.leaves);
            }
        }
    }

    /** How many chain heads one consent state weighs against {@code maxHeads} (gas: a new registry entry costs about twice a new head). */
    static final int CONSENT_WEIGHT = 2;

    /** A consent state waiting in the outbox. */
    private record QueuedConsent(long seq, RegistryConsent state) {
    }

    private static AnchorRegistry.ConsentState abi(RegistryConsent c) {
        HexFormat hex = HexFormat.of();
        return new AnchorRegistry.ConsentState(hex.parseHex(c.key()), hex.parseHex(c.pseudonym()), hex.parseHex(c.grantee()),
                hex.parseHex(c.scope()), BigInteger.valueOf(c.status()), BigInteger.valueOf(c.expiry()), BigInteger.valueOf(c.version()));
    }

    /** An anchor recorded and maybe sent, not yet confirmed. */
    record InFlight(long id, String txHash, String signedTx, int leaves) {
    }

    /**
     * Records the next anchor with its signed transaction, without sending it (package-private so that tests can
     * stop here, as a crash would).
     *
     * @return empty when nothing is pending
     * @throws IOException when the chain does not answer (nothing is recorded then)
     */
    Optional<InFlight> prepare() throws IOException {
        Map<String, List<AnchorLeaf>> pending = new TreeMap<>(); // per chain its pending blocks by height
        Map<String, Timestamp> oldest = new HashMap<>();
        Map<String, List<QueuedConsent>> consents = new HashMap<>(); // per chain its consent states waiting, in order
        sql(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT seq, consent_key, pseudonym, grantee_hash, scope_hash, status, expiry, "
                    + "version FROM ledger_consent_outbox WHERE anchored_at IS NULL AND anchor_id IS NULL ORDER BY seq")) {
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        RegistryConsent state = new RegistryConsent(r.getString(2).trim(), r.getString(3).trim(), r.getString(4).trim(),
                                r.getString(5).trim(), r.getInt(6), r.getLong(7), r.getLong(8));
                        consents.computeIfAbsent(state.pseudonym(), p -> new ArrayList<>()).add(new QueuedConsent(r.getLong(1), state));
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT pseudonym, height, block_hash, created_at FROM ledger_outbox "
                    + "WHERE anchored_at IS NULL AND anchor_id IS NULL ORDER BY pseudonym, height")) {
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        AnchorLeaf row = new AnchorLeaf(r.getString(1).trim(), r.getLong(2), r.getBytes(3));
                        pending.computeIfAbsent(row.pseudonym(), p -> new ArrayList<>()).add(row);
                        oldest.putIfAbsent(row.pseudonym(), r.getTimestamp(4));
                    }
                }
            }
            return null;
        });
        if (pending.isEmpty()) {
            return Optional.empty();
        }
        // the chains that have waited longest, as many as fit (a head weighs 1, a consent state it carries
        // CONSENT_WEIGHT, at most maxHeads in all, at least one chain), as leaves ordered by pseudonym
        List<String> byWait = pending.keySet().stream()
                .sorted(Comparator.comparing((String p) -> oldest.get(p)).thenComparing(Comparator.naturalOrder())).toList();
        List<String> fitting = new ArrayList<>();
        int weight = 0;
        for (String p : byWait) {
            int w = 1 + CONSENT_WEIGHT * consents.getOrDefault(p, List.of()).size();
            if (!fitting.isEmpty() && weight + w > maxHeads) {
                break;
            }
            fitting.add(p);
            weight += w;
        }
        List<String> chosen = fitting.stream().sorted().toList();
        List<QueuedConsent> carried = chosen.stream().flatMap(p -> consents.getOrDefault(p, List.of()).stream())
                .sorted(Comparator.comparingLong(QueuedConsent::seq)).toList();
        List<AnchorLeaf> leaves = chosen.stream().map(p -> pending.get(p).get(pending.get(p).size() - 1)).toList();
        List<AnchorLeaf> rows = chosen.stream().flatMap(p -> pending.get(p).stream()).toList();
        byte[] root = new MerkleTree(leaves.stream().map(AnchorLeaf::bytes).toList()).root();
        List<org.web3j.abi.datatypes.Type> arguments = new ArrayList<>(List.of(new Bytes32(root),
                new DynamicArray<>(Bytes32.class, leaves.stream().map(l -> new Bytes32(HexFormat.of().parseHex(l.pseudonym()))).toList()),
                new DynamicArray<>(Uint64.class, leaves.stream().map(l -> new Uint64(BigInteger.valueOf(l.height()))).toList()),
                new DynamicArray<>(Bytes32.class, leaves.stream().map(l -> new Bytes32(l.blockHash())).toList())));
        if (!carried.isEmpty()) {
            arguments.add(new DynamicArray<>(AnchorRegistry.ConsentState.class, carried.stream().map(q -> q.state())
                    .map(Anchorer::abi).toList()));
        }
        String data = FunctionEncoder.encode(new Function(carried.isEmpty() ? "anchor" : "anchorWithConsents", arguments, List.of()));

        EthCall trial = web3j.ethCall(Transaction.createEthCallTransaction(sender.getAddress(), contract, data),
                DefaultBlockParameterName.LATEST).send();
        if (trial.hasError() || trial.isReverted()) {
            throw new IllegalStateException("PHR-LEDGER-0501: the anchor contract refuses this account's anchor: "
                    + (trial.hasError() ? trial.getError().getMessage() : trial.getRevertReason()));
        }
        SignedCall call = signedCall(data);
        BigInteger nonce = call.nonce();
        byte[] signed = call.bytes();
        String signedHex = Numeric.toHexString(signed);
        String txHash = Numeric.toHexString(Hash.sha3(signed));

        long id = sql(c -> {
            // fencing: still the holder (the lease row stays locked until this commits), and nothing else in flight
            if (lease != null && !lease.renew(c)) {
                throw new NotRecorded();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM ledger_anchor WHERE status = 'SENT'");
                 ResultSet r = s.executeQuery()) {
                r.next();
                if (r.getLong(1) > 0) {
                    throw new NotRecorded();
                }
            }
            long next;
            try (PreparedStatement s = c.prepareStatement("SELECT COALESCE(MAX(id), 0) + 1 FROM ledger_anchor");
                 ResultSet r = s.executeQuery()) {
                r.next();
                next = r.getLong(1);
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO ledger_anchor (id, root, tree_size, chain_id, contract, "
                    + "sender, nonce, tx_hash, signed_tx, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'SENT', ?)")) {
                s.setLong(1, next);
                s.setBytes(2, root);
                s.setInt(3, leaves.size());
                s.setLong(4, chainId);
                s.setString(5, contract);
                s.setString(6, sender.getAddress());
                s.setLong(7, nonce.longValueExact());
                s.setString(8, txHash);
                s.setString(9, signedHex);
                s.setTimestamp(10, Timestamp.from(clock.instant()));
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO ledger_anchor_leaf (anchor_id, leaf_index, pseudonym, "
                    + "height, block_hash) VALUES (?, ?, ?, ?, ?)")) {
                for (int i = 0; i < leaves.size(); i++) {
                    s.setLong(1, next);
                    s.setInt(2, i);
                    s.setString(3, leaves.get(i).pseudonym());
                    s.setLong(4, leaves.get(i).height());
                    s.setBytes(5, leaves.get(i).blockHash());
                    s.addBatch();
                }
                s.executeBatch();
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE ledger_consent_outbox SET anchor_id = ? WHERE seq = ?")) {
                for (QueuedConsent q : carried) {
                    s.setLong(1, next);
                    s.setLong(2, q.seq());
                    s.addBatch();
                }
                s.executeBatch();
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE ledger_outbox SET anchor_id = ? WHERE pseudonym = ? AND height = ?")) {
                for (AnchorLeaf row : rows) {
                    s.setLong(1, next);
                    s.setString(2, row.pseudonym());
                    s.setLong(3, row.height());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return next;
        });
        return Optional.of(new InFlight(id, txHash, signedHex, leaves.size()));
    }

    /** Sends (or sends again) the signed transaction of an anchor in flight. */
    void send(InFlight anchor) throws IOException {
        EthSendTransaction sent = web3j.ethSendRawTransaction(anchor.signedTx).send();
        if (sent.hasError()) {
            String message = sent.getError().getMessage() == null ? "" : sent.getError().getMessage().toLowerCase();
            // a resend of a transaction the node has (or has mined) is expected after a crash or an outage
            if (!message.contains("already known") && !message.contains("nonce too low") && !message.contains("already imported")) {
                throw new IOException("PHR-LEDGER-0502: the node refused the anchor transaction: " + sent.getError().getMessage());
            }
        } else if (!anchor.txHash.equalsIgnoreCase(sent.getTransactionHash())) {
            throw new IllegalStateException("PHR-LEDGER-0503: the node names another hash for the anchor transaction");
        }
    }

    private Result settle(InFlight anchor, boolean resend) {
        Optional<TransactionReceipt> receipt;
        try {
            receipt = web3j.ethGetTransactionReceipt(anchor.txHash).send().getTransactionReceipt();
            if (receipt.isEmpty() && resend) {
                send(anchor);
                return new Result(Outcome.WAITING, anchor.id, anchor.leaves);
            }
        } catch (IOException e) {
            return new Result(Outcome.CHAIN_UNREACHABLE, anchor.id, anchor.leaves);
        }
        if (receipt.isEmpty()) {
            return new Result(Outcome.WAITING, anchor.id, anchor.leaves);
        }
        TransactionReceipt r = receipt.get();
        boolean ours = anchor.txHash.equalsIgnoreCase(r.getTransactionHash()) && contract.equalsIgnoreCase(r.getTo());
        Timestamp now = Timestamp.from(clock.instant());
        if (ours && r.isStatusOK()) {
            sql(c -> {
                try (PreparedStatement s = c.prepareStatement("UPDATE ledger_anchor SET status = 'CONFIRMED', block_number = ?, "
                        + "confirmed_at = ? WHERE id = ?")) {
                    s.setLong(1, r.getBlockNumber().longValueExact());
                    s.setTimestamp(2, now);
                    s.setLong(3, anchor.id);
                    s.executeUpdate();
                }
                for (String table : List.of("ledger_outbox", "ledger_consent_outbox")) {
                    try (PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET anchored_at = ? WHERE anchor_id = ?")) {
                        s.setTimestamp(1, now);
                        s.setLong(2, anchor.id);
                        s.executeUpdate();
                    }
                }
                return null;
            });
            return new Result(Outcome.CONFIRMED, anchor.id, anchor.leaves);
        }
        // mined but reverted, or a receipt that is not ours: give the blocks back to the next anchor
        sql(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE ledger_anchor SET status = 'FAILED', confirmed_at = ? WHERE id = ?")) {
                s.setTimestamp(1, now);
                s.setLong(2, anchor.id);
                s.executeUpdate();
            }
            for (String table : List.of("ledger_outbox", "ledger_consent_outbox")) {
                try (PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET anchor_id = NULL WHERE anchor_id = ?")) {
                    s.setLong(1, anchor.id);
                    s.executeUpdate();
                }
            }
            return null;
        });
        return new Result(Outcome.FAILED, anchor.id, anchor.leaves);
    }

    private Optional<InFlight> inFlight() {
        return sql(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id, tx_hash, signed_tx, tree_size FROM ledger_anchor "
                    + "WHERE status = 'SENT' ORDER BY id")) {
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(new InFlight(r.getLong(1), r.getString(2), r.getString(3), r.getInt(4)))
                            : Optional.<InFlight>empty();
                }
            }
        });
    }

    private <T> T sql(JdbcTransactions.Work<T> work) {
        try {
            return JdbcTransactions.inTransaction(dataSource, work);
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-LEDGER-0504: anchor bookkeeping failed (SQL state " + e.getSQLState() + ")", e);
        }
    }
}
