package org.phrcloud.research.anonymization;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-patient date shifting: every date of a patient moves by the same number of days, drawn for that patient
 * from {@code [-maxDays, +maxDays]} (0 excluded) by a keyed hash (HMAC-SHA256, RFC 2104) of the patient's
 * identifier under a key of the release. Intervals within a patient's record (age at an event, days between
 * visits, order of events) are kept exactly; calendar dates no longer match any other source (HIPAA
 * de-identification guidance, "date shifting"; Hripcsak et al. 2016, "Preserving temporal relations in
 * clinical data while maintaining privacy", JAMIA 23(6)). The same key gives the same shift, a new key a new
 * one: use a new random key per release.
 */
public final class DateShift {
    private final SecretKeySpec key;
    private final int maxDays;

    /**
     * @param key     at least 32 random bytes
     * @param maxDays the largest shift in days, at least 1 (e.g. 180)
     */
    public DateShift(byte[] key, int maxDays) {
        if (key.length < 32) {
            throw new IllegalArgumentException("PHR-RESEARCH-0005: the date shift key needs at least 32 bytes");
        }
        if (maxDays < 1) {
            throw new IllegalArgumentException("PHR-RESEARCH-0006: the largest shift is at least 1 day");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.maxDays = maxDays;
    }

    /** @return the patient's shift in days, in [-maxDays, -1] or [1, maxDays] */
    public int days(String patient) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            long draw = ByteBuffer.wrap(mac.doFinal(patient.getBytes(StandardCharsets.UTF_8))).getLong() >>> 1;
            int magnitude = (int) (draw % maxDays) + 1;
            return (draw / maxDays) % 2 == 0 ? magnitude : -magnitude;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
        }
    }

    /**
     * @param patientColumn the column that names the patient (e.g. a pseudonym)
     * @param dateColumns   columns of ISO 8601 dates ({@code yyyy-MM-dd}); empty values stay empty
     * @return the table with those dates shifted per patient
     * @throws IllegalArgumentException for a value that is not an ISO date
     */
    public Table apply(Table table, String patientColumn, List<String> dateColumns) {
        int patient = table.index(patientColumn);
        int[] dates = table.indexes(dateColumns);
        List<List<String>> rows = new ArrayList<>(table.size());
        for (List<String> row : table.rows()) {
            List<String> r = new ArrayList<>(row);
            int shift = days(row.get(patient));
            for (int d : dates) {
                String value = row.get(d);
                if (value.isEmpty()) {
                    continue;
                }
                try {
                    r.set(d, LocalDate.parse(value).plusDays(shift).toString());
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("PHR-RESEARCH-0007: column " + table.columns().get(d)
                            + " holds a value that is not an ISO date");
                }
            }
            rows.add(r);
        }
        return new Table(table.columns(), rows);
    }
}
