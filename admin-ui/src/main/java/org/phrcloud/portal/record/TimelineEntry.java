package org.phrcloud.portal.record;

import java.io.Serializable;

/**
 * One line of a health record's timeline.
 *
 * @param date      when it happened, ISO 8601 as in the resource (date or date-time), empty when the resource has none
 * @param type      the FHIR resource type, e.g. {@code Observation}
 * @param title     what it is (the code's display text)
 * @param detail    value, status or period, for reading
 * @param reference {@code Type/id}
 */
public record TimelineEntry(String date, String type, String title, String detail, String reference) implements Serializable {
    /** @return what kind of entry it is, in plain words ("Result" for an Observation) */
    public String kind() {
        return RecordReader.kind(type);
    }

    /**
     * @param words what a person typed; blank matches everything
     * @return whether every word occurs in what the entry says (its kind in plain words, what, value or status, date),
     *         ignoring case
     */
    public boolean matches(String words) {
        if (words == null || words.isBlank()) {
            return true;
        }
        String text = String.join(" ", kind(), title, detail, day()).toLowerCase(java.util.Locale.ROOT);
        for (String word : words.toLowerCase(java.util.Locale.ROOT).trim().split("\\s+")) {
            if (!text.contains(word)) {
                return false;
            }
        }
        return true;
    }

    /** @return the date part, {@code yyyy-mm-dd} */
    public String day() {
        return date.length() >= 10 ? date.substring(0, 10) : date;
    }
}
