package org.phrcloud.standards.hl7v2;

import org.phrcloud.database.SchemaMigrations;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * The HL7 v2 messages processed (table {@code phr_hl7v2_message}): one row per sending facility (MSH-4) and message
 * control id (MSH-10), with the ACK sent, written in the transaction of the message's FHIR resources. This is what
 * makes processing exactly once: a resend finds its row and gets the original ACK; two copies racing collide on
 * the primary key and the loser's transaction rolls back (HL7 v2.5.1 chapter 2, section 2.10.2, original mode
 * acknowledgment with duplicate detection by MSH-10).
 */
public class MessageLog {
    private final DataSource dataSource;

    /** @param dataSource a transaction-aware data source (joins the FHIR write transaction) */
    public MessageLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates or upgrades the table (Flyway, history table {@code phr_hl7v2_schema_history}). */
    public static void migrate(DataSource dataSource) {
        SchemaMigrations.migrate(dataSource, "hl7v2", MessageLog.class);
    }

    /** The ACK already sent for this message, if it was processed. */
    public Optional<String> ackOf(String sendingFacility, String controlId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT ack FROM phr_hl7v2_message WHERE sending_facility = ? AND control_id = ?")) {
            s.setString(1, sendingFacility);
            s.setString(2, controlId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-HL7-0901: the HL7 v2 message log could not be read", e);
        }
    }

    /** Records the message as processed, in the current transaction; a duplicate key fails the transaction. */
    public void record(String sendingFacility, String controlId, String messageType, String ack, Instant at) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO phr_hl7v2_message (sending_facility, control_id, message_type, "
                     + "received_at, ack) VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, sendingFacility);
            s.setString(2, controlId);
            s.setString(3, messageType);
            s.setTimestamp(4, Timestamp.from(at));
            s.setString(5, ack);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new DuplicateMessage(e);
        }
    }

    /** The insert failed: most likely the same message processed concurrently (primary key). */
    static final class DuplicateMessage extends RuntimeException {
        DuplicateMessage(SQLException cause) {
            super("PHR-HL7-0902: the message could not be recorded (processed concurrently?)", cause);
        }
    }
}
