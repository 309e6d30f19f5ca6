package org.phrcloud.ledger.anchor;

import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.merkle.MerkleTree;
import org.phrcloud.ledger.store.JdbcChainStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Builds {@link ResourceProof}s and {@link ChainExport}s from the stored chains and anchors. */
public final class ResourceProofs {
    private final DataSource dataSource;
    private final JdbcChainStore chains;

    public ResourceProofs(DataSource dataSource, JdbcChainStore chains) {
        this.dataSource = dataSource;
        this.chains = chains;
    }

    /**
     * The proof of the latest recorded version of a resource, or of {@code versionId} when given.
     *
     * @return empty if the chain never recorded it
     */
    public Optional<ResourceProof> proof(String resourceType, String resourceId, String versionId) {
        try (Connection c = dataSource.getConnection()) {
            String pseudonym;
            long height;
            int position;
            try (PreparedStatement s = c.prepareStatement("SELECT pseudonym, height, position FROM ledger_entry WHERE resource_type = ? "
                    + "AND resource_id = ?" + (versionId == null ? "" : " AND version_id = ?") + " ORDER BY height DESC, position DESC")) {
                s.setString(1, resourceType);
                s.setString(2, resourceId);
                if (versionId != null) {
                    s.setString(3, versionId);
                }
                s.setMaxRows(1);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return Optional.empty();
                    }
                    pseudonym = r.getString(1).trim();
                    height = r.getLong(2);
                    position = r.getInt(3);
                }
            }
            ResourceProof.Anchor anchor = null;
            int leafIndex = -1;
            long headHeight = height;
            try (PreparedStatement s = c.prepareStatement("SELECT a.id, a.root, a.tree_size, a.chain_id, a.contract, a.tx_hash, "
                    + "a.block_number, l.leaf_index, l.height FROM ledger_anchor_leaf l JOIN ledger_anchor a ON a.id = l.anchor_id "
                    + "WHERE l.pseudonym = ? AND l.height >= ? AND a.status = 'CONFIRMED' ORDER BY a.id")) {
                s.setString(1, pseudonym);
                s.setLong(2, height);
                s.setMaxRows(1);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        anchor = new ResourceProof.Anchor(r.getLong(1), r.getBytes(2), r.getInt(3), r.getLong(4), r.getString(5),
                                r.getString(6), r.getLong(7));
                        leafIndex = r.getInt(8);
                        headHeight = r.getLong(9);
                    }
                }
            }
            List<Block> blocks = chains.chain(pseudonym, height, (int) (headHeight - height + 1));
            Block first = blocks.get(0);
            List<byte[]> entryLeaves = first.entries().stream().map(Block::entryEncoding).toList();
            Entry entry = first.entries().get(position);
            var entryProof = new MerkleTree(entryLeaves).inclusionProof(position, entryLeaves.size());
            if (anchor == null) {
                return Optional.of(new ResourceProof(entry, entryProof, List.of(first), null, null));
            }
            List<byte[]> leaves = leaves(c, anchor.id());
            return Optional.of(new ResourceProof(entry, entryProof, blocks, anchor,
                    new MerkleTree(leaves).inclusionProof(leafIndex, leaves.size())));
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-LEDGER-0603: cannot read a proof (SQL state " + e.getSQLState() + ")", e);
        }
    }

    /**
     * The patient's whole chain with every confirmed anchor of its heads.
     *
     * @return empty if there is no chain for this pseudonym
     */
    public Optional<ChainExport> export(String pseudonym) {
        HexFormat hex = HexFormat.of();
        List<ChainExport.ExportedBlock> blocks = new ArrayList<>();
        for (List<Block> page = chains.chain(pseudonym, 0, 500); !page.isEmpty();
             page = chains.chain(pseudonym, page.get(page.size() - 1).height() + 1, 500)) {
            page.forEach(b -> blocks.add(new ChainExport.ExportedBlock(hex.formatHex(b.canonicalEncoding()),
                    Base64.getEncoder().encodeToString(b.signature()))));
        }
        if (blocks.isEmpty()) {
            return Optional.empty();
        }
        List<ChainExport.ExportedAnchor> anchors = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT a.id, a.root, a.tree_size, a.chain_id, a.contract, a.tx_hash, "
                     + "a.block_number, l.leaf_index, l.height FROM ledger_anchor_leaf l JOIN ledger_anchor a ON a.id = l.anchor_id "
                     + "WHERE l.pseudonym = ? AND a.status = 'CONFIRMED' ORDER BY a.id")) {
            s.setString(1, pseudonym);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    List<byte[]> leaves = leaves(c, r.getLong(1));
                    List<String> path = new MerkleTree(leaves).inclusionProof(r.getInt(8), leaves.size()).path().stream()
                            .map(hex::formatHex).toList();
                    anchors.add(new ChainExport.ExportedAnchor(hex.formatHex(r.getBytes(2)), r.getInt(3), r.getLong(4), r.getString(5),
                            r.getString(6), r.getLong(7), r.getLong(9), r.getInt(8), path));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-LEDGER-0602: cannot read the anchors of a chain (SQL state " + e.getSQLState() + ")", e);
        }
        return Optional.of(new ChainExport(ChainExport.FORMAT, pseudonym, blocks, anchors));
    }

    private static List<byte[]> leaves(Connection c, long anchorId) throws SQLException {
        List<byte[]> leaves = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT pseudonym, height, block_hash FROM ledger_anchor_leaf "
                + "WHERE anchor_id = ? ORDER BY leaf_index")) {
            s.setLong(1, anchorId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    leaves.add(new AnchorLeaf(r.getString(1).trim(), r.getLong(2), r.getBytes(3)).bytes());
                }
            }
        }
        return leaves;
    }
}
