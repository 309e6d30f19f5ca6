package org.phrcloud.ledger.anchor;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * The anchoring lag, for health checks: how many blocks wait for an anchor, how old the oldest is, and the last
 * confirmed anchor. Counts and hashes only, no health data.
 *
 * @param enabled              whether this server anchors (a chain is configured)
 * @param pendingBlocks        blocks not yet in a confirmed anchor
 * @param oldestPendingSeconds age of the oldest of them, 0 if none
 * @param lastAnchor           the last confirmed anchor, or null
 * @param inFlight             the anchor sent (or recorded for sending) and not yet confirmed, or null
 */
public record AnchoringStatus(boolean enabled, long pendingBlocks, long oldestPendingSeconds, LastAnchor lastAnchor,
                              InFlight inFlight) {
    /**
     * @param txHash     its signed transaction's hash
     * @param recordedAt when it was recorded, just before it was first sent
     */
    public record InFlight(long id, String txHash, Instant recordedAt) {
    }

    /**
     * @param txHash      the anchoring transaction
     * @param blockNumber the chain block it was mined in
     * @param root        hex Merkle root
     * @param treeSize    chain heads in the tree
     */
    public record LastAnchor(long id, String txHash, long blockNumber, String root, int treeSize, Instant confirmedAt) {
    }

    public static AnchoringStatus read(DataSource dataSource, boolean enabled, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            long pending;
            Timestamp oldest;
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*), MIN(created_at) FROM ledger_outbox WHERE anchored_at IS NULL");
                 ResultSet r = s.executeQuery()) {
                r.next();
                pending = r.getLong(1);
                oldest = r.getTimestamp(2);
            }
            LastAnchor last = null;
            try (PreparedStatement s = c.prepareStatement("SELECT id, tx_hash, block_number, root, tree_size, confirmed_at "
                    + "FROM ledger_anchor WHERE status = 'CONFIRMED' ORDER BY id DESC")) {
                s.setMaxRows(1);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        last = new LastAnchor(r.getLong(1), r.getString(2), r.getLong(3),
                                java.util.HexFormat.of().formatHex(r.getBytes(4)), r.getInt(5), r.getTimestamp(6).toInstant());
                    }
                }
            }
            InFlight inFlight = null;
            try (PreparedStatement s = c.prepareStatement("SELECT id, tx_hash, created_at FROM ledger_anchor WHERE status = 'SENT' ORDER BY id")) {
                s.setMaxRows(1);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        inFlight = new InFlight(r.getLong(1), r.getString(2), r.getTimestamp(3).toInstant());
                    }
                }
            }
            long age = oldest == null ? 0 : Math.max(0, Duration.between(oldest.toInstant(), now).toSeconds());
            return new AnchoringStatus(enabled, pending, age, last, inFlight);
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-LEDGER-0505: cannot read the anchoring status", e);
        }
    }
}
