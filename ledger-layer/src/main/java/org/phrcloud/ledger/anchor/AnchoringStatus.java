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
 * @param health               the state in one word ({@link #health(boolean, long, InFlight, Instant)}): {@code off},
 *                             {@code ok}, {@code delayed} or {@code failing}
 */
public record AnchoringStatus(boolean enabled, long pendingBlocks, long oldestPendingSeconds, LastAnchor lastAnchor,
                              InFlight inFlight, String health) {
    /** Blocks waiting longer than this make anchoring "delayed" (several anchoring rounds missed). */
    public static final Duration DELAYED_AFTER = Duration.ofMinutes(2);
    /** Blocks waiting, or an anchor unconfirmed, longer than this make anchoring "failing" (the chain is out of reach). */
    public static final Duration FAILING_AFTER = Duration.ofMinutes(15);

    /**
     * The anchoring state in one word, for people and monitors: {@code off} without a chain; {@code failing} when the
     * oldest waiting block, or the anchor in flight, is older than {@link #FAILING_AFTER}; {@code delayed} when the
     * oldest waiting block is older than {@link #DELAYED_AFTER}; else {@code ok}. Writes never wait for anchoring
     * (ARCHITECTURE.md "Write path"), so even {@code failing} loses nothing: the blocks are anchored once the chain answers.
     */
    public static String health(boolean enabled, long oldestPendingSeconds, InFlight inFlight, Instant now) {
        if (!enabled) {
            return "off";
        }
        boolean stuck = inFlight != null && Duration.between(inFlight.recordedAt(), now).compareTo(FAILING_AFTER) > 0;
        if (stuck || oldestPendingSeconds > FAILING_AFTER.toSeconds()) {
            return "failing";
        }
        return oldestPendingSeconds > DELAYED_AFTER.toSeconds() ? "delayed" : "ok";
    }
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
            return new AnchoringStatus(enabled, pending, age, last, inFlight, health(enabled, age, inFlight, now));
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-LEDGER-0505: cannot read the anchoring status", e);
        }
    }
}
