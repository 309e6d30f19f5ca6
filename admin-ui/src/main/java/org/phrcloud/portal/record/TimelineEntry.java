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

    /**
     * One row of a timeline as shown: an entry, or several that say the same (one day, kind, what and value), as when two
     * institutions send the same result or a visit records one procedure twice.
     *
     * @param entry      the first of them (newest first, as the timeline)
     * @param references every one's {@code Type/id}, in timeline order
     */
    public record Row(TimelineEntry entry, java.util.List<String> references) implements Serializable {
        public int count() {
            return references.size();
        }

        public String day() {
            return entry.day();
        }

        public String type() {
            return entry.type();
        }

        public String kind() {
            return entry.kind();
        }

        public String title() {
            return entry.title();
        }

        public String detail() {
            return entry.detail();
        }

        /** @return the first entry's {@code Type/id} (its proof stands for the row) */
        public String reference() {
            return entry.reference();
        }
    }

    /**
     * @param entries a timeline, in the order to show
     * @return its rows: entries that say the same on the same day ({@link #day()}, type, title and detail equal) grouped
     *         into one row at the place of the first, the others' order kept
     */
    public static java.util.List<Row> grouped(java.util.List<TimelineEntry> entries) {
        java.util.Map<java.util.List<String>, java.util.List<String>> groups = new java.util.LinkedHashMap<>();
        java.util.Map<java.util.List<String>, TimelineEntry> first = new java.util.HashMap<>();
        for (TimelineEntry e : entries) {
            java.util.List<String> key = java.util.List.of(e.day(), e.type(), e.title(), e.detail());
            first.putIfAbsent(key, e);
            groups.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(e.reference());
        }
        return groups.entrySet().stream().map(g -> new Row(first.get(g.getKey()), java.util.List.copyOf(g.getValue()))).toList();
    }

    /** @return the date part, {@code yyyy-mm-dd} */
    public String day() {
        return date.length() >= 10 ? date.substring(0, 10) : date;
    }
}
