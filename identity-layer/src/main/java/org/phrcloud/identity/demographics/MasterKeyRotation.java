package org.phrcloud.identity.demographics;

import org.phrcloud.database.JdbcTransactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Master-key rotation of everything the identity layer seals at rest (envelope encryption, NIST SP 800-57 part 1
 * section 5.3 on cryptoperiods): after a new master key becomes current ({@code PHR_MASTER_KEY_ID}), this job
 * re-wraps the data key of every record sealed under another master key with the current one
 * ({@link EnvelopeCipher#rewrap}). The records' ciphertexts stay as they are. When {@link #recordsByMasterKey()}
 * shows no record under an old key, that key can leave the ring.
 *
 * <p>Sealed columns: {@code mpi_identity.demographics} and {@code mpi_identity.private_key} (keys not yet handed
 * over), {@code institution_key.private_key}. Records are re-wrapped in batches, each in its own transaction. A
 * record is updated only if it is still under the key it was read with, so a concurrent write is never overwritten:
 * it was sealed with the current key anyway. Running the job again re-wraps nothing.
 */
public final class MasterKeyRotation {
    /** One sealed column: its table, primary key, master-key id column and sealed bytes column. */
    private record Column(String table, String primaryKey, String keyIdColumn, String sealedColumn) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("mpi_identity", "pseudonym", "demographics_key_id", "demographics"),
            new Column("mpi_identity", "pseudonym", "private_key_key_id", "private_key"),
            new Column("institution_key", "key_id", "private_key_key_id", "private_key"));

    /**
     * @param rewrapped records re-wrapped by this run
     * @param remaining records still under a key other than the current one (altered records that could not be
     *                  re-wrapped; see the log of PHR-IDENTITY-0221), 0 after a clean run
     */
    public record Result(int rewrapped, long remaining) {
    }

    private final DataSource dataSource;
    private final EnvelopeCipher cipher;
    private final String currentKeyId;

    /** @param masterKeys the ring that holds the old keys and the new current one */
    public MasterKeyRotation(DataSource dataSource, MasterKeyRing masterKeys) {
        this.dataSource = dataSource;
        this.cipher = new EnvelopeCipher(masterKeys);
        this.currentKeyId = masterKeys.currentId();
    }

    /**
     * Re-wraps every record not under the current master key.
     *
     * @param batchSize records per transaction, at least 1
     * @throws IllegalStateException    when the database fails
     * @throws IllegalArgumentException when a record's master key is not in the ring (PHR-IDENTITY-0205); nothing of that batch is written
     */
    public Result run(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("PHR-IDENTITY-0222: the batch size is at least 1");
        }
        int rewrapped = 0;
        for (Column column : COLUMNS) {
            List<String> skipped = new ArrayList<>();
            while (true) {
                int done = sql(c -> {
                    List<Object[]> batch = new ArrayList<>();
                    try (PreparedStatement s = c.prepareStatement("SELECT " + column.primaryKey() + ", " + column.keyIdColumn()
                            + ", " + column.sealedColumn() + " FROM " + column.table() + " WHERE " + column.keyIdColumn()
                            + " <> ? AND " + column.sealedColumn() + " IS NOT NULL ORDER BY " + column.primaryKey())) {
                        s.setString(1, currentKeyId);
                        s.setMaxRows(batchSize + skipped.size());
                        try (ResultSet r = s.executeQuery()) {
                            while (r.next() && batch.size() < batchSize) {
                                String id = r.getString(1).trim();
                                if (!skipped.contains(id)) {
                                    batch.add(new Object[]{id, r.getString(2), r.getBytes(3)});
                                }
                            }
                        }
                    }
                    int n = 0;
                    try (PreparedStatement u = c.prepareStatement("UPDATE " + column.table() + " SET " + column.keyIdColumn()
                            + " = ?, " + column.sealedColumn() + " = ? WHERE " + column.primaryKey() + " = ? AND "
                            + column.keyIdColumn() + " = ?")) {
                        for (Object[] row : batch) {
                            SealedRecord sealed;
                            try {
                                sealed = cipher.rewrap(SealedRecord.fromBytes((String) row[1], (byte[]) row[2]));
                            } catch (EnvelopeCipher.RecordIntegrityException e) {
                                System.getLogger(MasterKeyRotation.class.getName()).log(System.Logger.Level.WARNING,
                                        "PHR-IDENTITY-0221: a sealed record in " + column.table() + "." + column.sealedColumn()
                                                + " does not unwrap and stays under its key");
                                skipped.add((String) row[0]);
                                continue;
                            }
                            u.setString(1, sealed.masterKeyId());
                            u.setBytes(2, sealed.toBytes());
                            u.setString(3, (String) row[0]);
                            u.setString(4, (String) row[1]);
                            n += u.executeUpdate();
                        }
                    }
                    return batch.isEmpty() ? -1 : n;
                });
                if (done < 0) {
                    break;
                }
                rewrapped += done;
            }
        }
        return new Result(rewrapped, recordsByMasterKey().entrySet().stream()
                .filter(e -> !e.getKey().equals(currentKeyId)).mapToLong(Map.Entry::getValue).sum());
    }

    /** @return master key id -> number of sealed records under it, over all sealed columns */
    public Map<String, Long> recordsByMasterKey() {
        return sql(c -> {
            Map<String, Long> counts = new TreeMap<>();
            for (Column column : COLUMNS) {
                try (PreparedStatement s = c.prepareStatement("SELECT " + column.keyIdColumn() + ", COUNT(*) FROM " + column.table()
                        + " WHERE " + column.sealedColumn() + " IS NOT NULL GROUP BY " + column.keyIdColumn());
                     ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        counts.merge(r.getString(1), r.getLong(2), Long::sum);
                    }
                }
            }
            return counts;
        });
    }

    private <T> T sql(JdbcTransactions.Work<T> work) {
        try {
            return JdbcTransactions.inTransaction(dataSource, work);
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-IDENTITY-0223: master-key rotation failed (SQL state " + e.getSQLState() + ")", e);
        }
    }
}
