package org.phrcloud.ledger.store;

import org.phrcloud.database.JdbcTransactions;
import org.phrcloud.database.SchemaMigrations;
import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.BlockSigner;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The per-patient chains in a relational database (H2 or PostgreSQL; schema {@code db/ledger/V*.sql}, applied by
 * {@link #migrate}). ARCHITECTURE.md write path step 3: a block is appended in the same database transaction as
 * the FHIR write that caused it, together with its outbox row for anchoring.
 *
 * <p>Concurrency: every append locks the chain's head row ({@code SELECT ... FOR UPDATE}), so writers of one
 * patient queue up and the chain never forks or skips a height; the first block of a chain creates the head row
 * under a savepoint, and a writer that loses that race retries on the row the winner made. Transactions: a
 * connection already in a transaction (autocommit off, e.g. HAPI FHIR's through a
 * {@code TransactionAwareDataSourceProxy}) is joined; otherwise each call commits on its own.
 */
public final class JdbcChainStore {
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final Clock clock;

    public JdbcChainStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Creates or upgrades the ledger tables (Flyway, history table {@code phr_ledger_schema_history}). */
    public static void migrate(DataSource dataSource) {
        SchemaMigrations.migrate(dataSource, "ledger", JdbcChainStore.class);
    }

    /**
     * Appends a block with these entries to the chain of {@code pseudonym}, signed by {@code authorKeyId}, and
     * queues it for anchoring.
     *
     * @param practitionerId who wrote, for the block's author field; may be null
     * @return the stored block
     */
    public Block append(String pseudonym, String authorKeyId, String practitionerId, List<Entry> entries, BlockSigner signer) {
        return inTransaction(c -> {
            Head head = lockHead(c, pseudonym);
            requireNotMoved(c, pseudonym);
            Block block = new Block(Block.VERSION, pseudonym, head.height + 1, head.hash, clock.millis(), authorKeyId,
                    practitionerId, entries, null).signedWith(signer);
            insert(c, block, true);
            return block;
        });
    }

    /**
     * Appends a block made and signed elsewhere (another institution's, ARCHITECTURE.md "Federation") to a chain kept
     * here, and queues it for anchoring, if it extends the chain's head: its height is the head's plus one and it names
     * the head's hash. The caller has checked its signature and what it records.
     *
     * @throws StaleHeadException when the chain does not exist here or its head is not the block's previous block
     *                            (the chain moved on, or the block was appended before)
     */
    public Block appendSigned(Block block) throws StaleHeadException {
        Optional<Block> appended = inTransaction(c -> {
            Optional<Head> head = selectHeadForUpdate(c, block.pseudonym());
            if (head.isPresent()) {
                requireNotMoved(c, block.pseudonym());
            }
            if (head.isEmpty() || head.get().height < 0 || block.height() != head.get().height + 1
                    || !java.security.MessageDigest.isEqual(block.previousHash(), head.get().hash)) {
                return Optional.<Block>empty();
            }
            insert(c, block, true);
            return Optional.of(block);
        });
        return appended.orElseThrow(StaleHeadException::new);
    }

    /** A block that does not extend the head of the chain it names (or a chain not kept here). */
    public static final class StaleHeadException extends Exception {
        StaleHeadException() {
            super("PHR-LEDGER-0302: the block does not extend the chain's head here");
        }
    }

    /**
     * A chain that moved to another home (ARCHITECTURE.md "Federation", moving a patient's home): nothing is appended
     * to it here any more. The message names the new home's CAIP-10 account id.
     */
    public static final class ChainMovedException extends IllegalStateException {
        private final String movedTo;

        ChainMovedException(String movedTo) {
            super("PHR-LEDGER-0303: this patient's chain moved to " + movedTo + ", its home now");
            this.movedTo = movedTo;
        }

        /** The CAIP-10 account id of the chain's new home. */
        public String movedTo() {
            return movedTo;
        }
    }

    /** A chain that cannot move now; the message starts with its code ({@code PHR-LEDGER-0303} or {@code 0304}). */
    public static final class MoveRefusedException extends IllegalStateException {
        MoveRefusedException(String message) {
            super(message);
        }
    }

    private static void requireNotMoved(Connection c, String pseudonym) throws SQLException {
        Optional<String> movedTo = movedTo(c, pseudonym);
        if (movedTo.isPresent()) {
            throw new ChainMovedException(movedTo.get());
        }
    }

    private static Optional<String> movedTo(Connection c, String pseudonym) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT moved_to FROM ledger_chain_move WHERE pseudonym = ?")) {
            s.setString(1, pseudonym);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    /** The CAIP-10 account id of the institution this chain moved to, if it moved away from here. */
    public Optional<String> movedTo(String pseudonym) {
        return inTransaction(c -> movedTo(c, pseudonym));
    }

    /**
     * An institution that kept a chain before it moved here: the blocks up to {@code throughHeight} that name a key id
     * without an account ({@code <kid>}, not {@code <account id>#<kid>}) were signed with that institution's key, and
     * their entries that name a record by {@code <type>/<id>} name one kept there.
     *
     * @param institution   its CAIP-10 account id
     * @param throughHeight the last height it kept (the earliest former home first)
     */
    public record FormerHome(String institution, long throughHeight) {
        /** The former home that signed the block at {@code height} with an unqualified key id; empty: this deployment. */
        public static Optional<String> of(List<FormerHome> formerHomes, long height) {
            return formerHomes.stream().filter(h -> height <= h.throughHeight()).findFirst().map(FormerHome::institution);
        }
    }

    /** The institutions that kept this chain before it moved here, earliest first; empty for a chain that started here. */
    public List<FormerHome> formerHomes(String pseudonym) {
        return inTransaction(c -> {
            List<FormerHome> homes = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT institution, through_height FROM ledger_former_home "
                    + "WHERE pseudonym = ? ORDER BY through_height")) {
                s.setString(1, pseudonym);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        homes.add(new FormerHome(r.getString(1), r.getLong(2)));
                    }
                }
            }
            return homes;
        });
    }

    /** What a chain's former home hands over: the chain through its head, and the homes before this one. */
    @FunctionalInterface
    public interface HandOver<T> {
        /**
         * Sends the chain to its new home; an exception (unchecked) leaves the chain here, unmoved.
         *
         * @param height the height of the locked head (nothing is appended after it)
         */
        T handOver(long height, List<FormerHome> formerHomes);
    }

    /**
     * Moves a chain kept here to another home, in one transaction: locks its head, records the move with the patient's
     * signed request (after which nothing is appended here), and hands the chain over ({@code handOver}, e.g. sending
     * it to the new home, which must accept it); an exception from the hand-over rolls the move back.
     *
     * @param to        the new home's CAIP-10 account id
     * @param document  the patient's request as signed
     * @param signature the patient's signature of it
     * @throws MoveRefusedException {@code PHR-LEDGER-0303} when the chain is not here or moved already,
     *                              {@code PHR-LEDGER-0304} while a block of it waits for its anchor (the new home's
     *                              anchor must be the registry's latest entry, so this home anchors nothing after it)
     */
    public <T> T moveOut(String pseudonym, String to, String document, byte[] signature, HandOver<T> handOver) {
        return inTransaction(c -> {
            Optional<Head> head = selectHeadForUpdate(c, pseudonym);
            if (head.isEmpty() || head.get().height < 0 || movedTo(c, pseudonym).isPresent()) {
                throw new MoveRefusedException("PHR-LEDGER-0303: no chain of this patient is kept here to move");
            }
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM ledger_outbox WHERE pseudonym = ? AND anchored_at IS NULL")) {
                s.setString(1, pseudonym);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (r.getLong(1) > 0) {
                        throw new MoveRefusedException("PHR-LEDGER-0304: the chain's head waits for its anchor; it moves once anchored");
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO ledger_chain_move (pseudonym, moved_to, height, document, signature, "
                    + "moved_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setString(1, pseudonym);
                s.setString(2, to);
                s.setLong(3, head.get().height);
                s.setString(4, document);
                s.setBytes(5, signature);
                s.setTimestamp(6, new Timestamp(clock.millis()));
                s.executeUpdate();
            }
            return handOver.handOver(head.get().height, formerHomes(pseudonym));
        });
    }

    /**
     * Keeps a chain that moved here from its former home, which the caller has verified: every block with its entries,
     * the head, one outbox row for the head (this deployment's next anchor makes it the chain's home in the registry),
     * and the former homes.
     *
     * @param formerHomes the homes before this one, the last being the one that handed the chain over, through the head
     * @throws MoveRefusedException {@code PHR-LEDGER-0303} when a chain of this pseudonym is kept here already
     */
    public void importChain(List<Block> chain, List<FormerHome> formerHomes) {
        String pseudonym = chain.get(0).pseudonym();
        inTransaction(c -> {
            if (!insertHead(c, pseudonym)) {
                throw new MoveRefusedException("PHR-LEDGER-0303: a chain of this patient is kept here already");
            }
            for (int i = 0; i < chain.size(); i++) {
                insert(c, chain.get(i), i == chain.size() - 1);
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO ledger_former_home (pseudonym, through_height, institution) "
                    + "VALUES (?, ?, ?)")) {
                for (FormerHome home : formerHomes) {
                    s.setString(1, pseudonym);
                    s.setLong(2, home.throughHeight());
                    s.setString(3, home.institution());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    /** Inserts a block, its entries and (if {@code outbox}) its outbox row, and moves the (locked) head to it. */
    private void insert(Connection c, Block block, boolean outbox) throws SQLException {
        String pseudonym = block.pseudonym();
        List<Entry> entries = block.entries();
        byte[] hash = block.hash();
        Timestamp now = new Timestamp(block.timestamp());
        try (PreparedStatement s = c.prepareStatement("INSERT INTO ledger_block (pseudonym, height, block_hash, encoding, "
                + "signature, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, pseudonym);
            s.setLong(2, block.height());
            s.setBytes(3, hash);
            s.setBytes(4, block.canonicalEncoding());
            s.setBytes(5, block.signature());
            s.setTimestamp(6, now);
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO ledger_entry (pseudonym, height, position, resource_type, "
                + "resource_id, version_id, operation, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                s.setString(1, pseudonym);
                s.setLong(2, block.height());
                s.setInt(3, i);
                s.setString(4, e.resourceType());
                s.setString(5, e.id());
                s.setString(6, e.versionId());
                s.setString(7, e.operation().name());
                s.setBytes(8, e.contentHash());
                s.addBatch();
            }
            s.executeBatch();
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE ledger_head SET height = ?, block_hash = ? WHERE pseudonym = ?")) {
            s.setLong(1, block.height());
            s.setBytes(2, hash);
            s.setString(3, pseudonym);
            s.executeUpdate();
        }
        if (!outbox) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO ledger_outbox (pseudonym, height, block_hash, created_at) "
                + "VALUES (?, ?, ?, ?)")) {
            s.setString(1, pseudonym);
            s.setLong(2, block.height());
            s.setBytes(3, hash);
            s.setTimestamp(4, now);
            s.executeUpdate();
        }
    }

    /** Blocks of a chain from {@code fromHeight} on, at most {@code limit}, in height order. */
    public List<Block> chain(String pseudonym, long fromHeight, int limit) {
        return inTransaction(c -> {
            List<Block> blocks = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT encoding, signature FROM ledger_block WHERE pseudonym = ? "
                    + "AND height >= ? ORDER BY height")) {
                s.setString(1, pseudonym);
                s.setLong(2, fromHeight);
                s.setMaxRows(limit);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        blocks.add(Block.decode(r.getBytes(1), r.getBytes(2)));
                    }
                }
            }
            return blocks;
        });
    }

    /** The latest block of a chain. */
    public Optional<Block> head(String pseudonym) {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT b.encoding, b.signature FROM ledger_block b JOIN ledger_head h "
                    + "ON h.pseudonym = b.pseudonym AND h.height = b.height WHERE h.pseudonym = ?")) {
                s.setString(1, pseudonym);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(Block.decode(r.getBytes(1), r.getBytes(2))) : Optional.<Block>empty();
                }
            }
        });
    }

    /**
     * Where a resource was last recorded.
     *
     * @param pseudonym whose chain
     * @param height    the block
     * @param entry     the entry
     */
    public record RecordedEntry(String pseudonym, long height, Entry entry) {
    }

    /** The latest entry of a resource (any version), if it was ever recorded. */
    public Optional<RecordedEntry> latestEntry(String resourceType, String resourceId) {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT pseudonym, height, version_id, operation, content_hash "
                    + "FROM ledger_entry WHERE resource_type = ? AND resource_id = ? ORDER BY height DESC, position DESC")) {
                s.setString(1, resourceType);
                s.setString(2, resourceId);
                s.setMaxRows(1);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return Optional.<RecordedEntry>empty();
                    }
                    return Optional.of(new RecordedEntry(r.getString(1).trim(), r.getLong(2), new Entry(resourceType, resourceId,
                            r.getString(3), Operation.valueOf(r.getString(4)), r.getBytes(5))));
                }
            }
        });
    }

    /** How many blocks wait for an anchor. */
    public long pendingAnchors() {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM ledger_outbox WHERE anchored_at IS NULL");
                 ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    private record Head(long height, byte[] hash) {
    }

    private static Head lockHead(Connection c, String pseudonym) throws SQLException {
        Optional<Head> head = selectHeadForUpdate(c, pseudonym);
        if (head.isPresent()) {
            return head.get();
        }
        insertHead(c, pseudonym); // or another writer made the first block's head row: queue up behind it
        return selectHeadForUpdate(c, pseudonym).orElseThrow();
    }

    /** Makes the head row of a new chain (height -1) under a savepoint; false if the row exists. */
    private static boolean insertHead(Connection c, String pseudonym) throws SQLException {
        Savepoint savepoint = c.setSavepoint();
        try (PreparedStatement s = c.prepareStatement("INSERT INTO ledger_head (pseudonym, height, block_hash) VALUES (?, -1, ?)")) {
            s.setString(1, pseudonym);
            s.setBytes(2, Block.GENESIS_PREVIOUS);
            s.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(savepoint);
            return false;
        }
    }

    private static Optional<Head> selectHeadForUpdate(Connection c, String pseudonym) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT height, block_hash FROM ledger_head WHERE pseudonym = ? FOR UPDATE")) {
            s.setString(1, pseudonym);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(new Head(r.getLong(1), r.getBytes(2))) : Optional.empty();
            }
        }
    }

    private <T> T inTransaction(JdbcTransactions.Work<T> work) {
        try {
            return JdbcTransactions.inTransaction(dataSource, work);
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-LEDGER-0301: chain storage failed (SQL state " + e.getSQLState() + ")", e);
        }
    }
}
