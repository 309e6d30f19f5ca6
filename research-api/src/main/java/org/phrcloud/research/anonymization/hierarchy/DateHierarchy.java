package org.phrcloud.research.anonymization.hierarchy;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * ISO 8601 calendar dates ({@code 1984-03-02}) generalized to the month ({@code 1984-03}), the year
 * ({@code 1984}), then suppressed. Per-patient date shifting is a different transformation (it keeps
 * intervals, not values) and is not a hierarchy.
 */
public final class DateHierarchy implements Hierarchy {
    @Override
    public int height() {
        return 3;
    }

    @Override
    public String generalize(String value, int level) {
        if (level < 0 || level > height()) {
            throw new IllegalArgumentException("PHR-RESEARCH-0102: no level " + level);
        }
        LocalDate date;
        try {
            date = LocalDate.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("PHR-RESEARCH-0109: not an ISO 8601 date", e);
        }
        return switch (level) {
            case 0 -> date.toString();
            case 1 -> String.format("%04d-%02d", date.getYear(), date.getMonthValue());
            case 2 -> String.format("%04d", date.getYear());
            default -> SUPPRESSED;
        };
    }
}
