package org.phrcloud.portal;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.phrcloud.portal.record.RecordReader;

import java.util.List;
import java.util.Map;

/**
 * The portal's words for the platform's codes and times, one format everywhere: times as {@code yyyy-mm-dd hh:mm UTC},
 * resource types, access levels and purposes of use (HL7 v3 ActReason) in plain words. Named {@code words} for the pages.
 */
@ApplicationScoped
@Named("words")
public class Words {
    private static final Map<String, String> LEVELS = Map.of(
            "full", "full: the records themselves",
            "sample", "sample: some of the records",
            "information", "information: summary figures only");
    private static final Map<String, String> PURPOSES = Map.of(
            "TREAT", "treatment",
            "ETREAT", "emergency treatment",
            "HRESCH", "research",
            "PATRQT", "the patient's own request");

    /** @return an ISO 8601 instant or date-time as {@code 2026-12-06 22:18 UTC}; a date alone as it is; empty for null */
    public String when(Object iso) {
        return time(iso);
    }

    /** {@link #when} for the pages' own code. */
    public static String time(Object iso) {
        String s = iso == null ? "" : iso.toString();
        return s.length() >= 16 && s.charAt(10) == 'T' ? s.substring(0, 10) + " " + s.substring(11, 16) + " UTC" : s;
    }

    /** @return resource types in plain words ("Results and measurements, Conditions"); {@code *} is the whole record */
    public String types(Object types) {
        if (!(types instanceof List<?> list)) {
            return types == null ? "" : types.toString();
        }
        if (list.contains("*")) {
            return "the whole record";
        }
        return String.join(", ", list.stream().map(t -> RecordReader.words(String.valueOf(t))).toList());
    }

    /** @return an access level (information, sample, full) in words */
    public String level(Object level) {
        return LEVELS.getOrDefault(String.valueOf(level), String.valueOf(level));
    }

    /** @return a purpose of use in words (TREAT: treatment, ETREAT: emergency treatment, HRESCH: research) */
    public String purpose(Object purpose) {
        return PURPOSES.getOrDefault(String.valueOf(purpose), purpose == null ? "" : purpose.toString());
    }
}
