package org.phrcloud.research.anonymization.hierarchy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A hierarchy given as data, one line per original value: {@code value;level1;level2;...} with
 * {@code ;} between fields, every line with the same number of fields, {@code #} starting a comment
 * line. A last field of {@code *} is optional: the top level is always suppression. Example (ICD-10):
 * <pre>
 *   E11.9;E11;E00-E90
 *   I21.0;I21;I00-I99
 * </pre>
 * The format is the one ARX documents for its hierarchies (Prasser and Kohlmayer, 2015), with ';'.
 */
public final class TableHierarchy implements Hierarchy {
    private final Map<String, String[]> levels;
    private final int height;

    private TableHierarchy(Map<String, String[]> levels, int height) {
        this.levels = levels;
        this.height = height;
    }

    /** @throws IllegalArgumentException for ragged lines, a line without a value, a repeated value, or no lines */
    public static TableHierarchy parse(List<String> lines) {
        Map<String, String[]> levels = new HashMap<>();
        int fields = -1;
        for (String line : lines) {
            if (line == null) {
                throw new IllegalArgumentException("PHR-RESEARCH-0110: a line without a value: null");
            }
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(";", -1);
            if (f[f.length - 1].equals(SUPPRESSED)) {
                f = java.util.Arrays.copyOf(f, f.length - 1);
            }
            if (f.length == 0) {
                throw new IllegalArgumentException("PHR-RESEARCH-0110: a line without a value: " + line);
            }
            if (fields >= 0 && f.length != fields) {
                throw new IllegalArgumentException("PHR-RESEARCH-0105: every line needs " + fields + " fields: " + line);
            }
            fields = f.length;
            if (levels.put(f[0], f) != null) {
                throw new IllegalArgumentException("PHR-RESEARCH-0106: value repeats: " + f[0]);
            }
        }
        if (fields < 0) {
            throw new IllegalArgumentException("PHR-RESEARCH-0107: an empty hierarchy");
        }
        return new TableHierarchy(levels, fields);
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public String generalize(String value, int level) {
        if (level < 0 || level > height) {
            throw new IllegalArgumentException("PHR-RESEARCH-0102: no level " + level);
        }
        if (level == height) {
            return SUPPRESSED;
        }
        String[] f = levels.get(value);
        if (f == null) {
            throw new IllegalArgumentException("PHR-RESEARCH-0108: the hierarchy does not know a value");
        }
        return f[level];
    }
}
