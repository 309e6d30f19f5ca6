package org.phrcloud.research.anonymization.hierarchy;

import java.util.Arrays;

/**
 * Numeric values in bands of growing width, e.g. ages with widths 5, 10, 20: level 1 gives
 * {@code [35-40)}, level 2 {@code [30-40)}, level 3 {@code [20-40)}, level 4 {@code *}. Bands start at
 * multiples of their width, so each band lies inside the band above when each width divides the next.
 */
public final class IntervalHierarchy implements Hierarchy {
    private final int[] widths;

    /** @param widths band widths per level, each a multiple of the one before */
    public IntervalHierarchy(int... widths) {
        for (int i = 1; i < widths.length; i++) {
            if (widths[i] % widths[i - 1] != 0) {
                throw new IllegalArgumentException("PHR-RESEARCH-0101: widths must nest: " + Arrays.toString(widths));
            }
        }
        this.widths = widths.clone();
    }

    /** Age in years: 5, 10 and 20-year bands, then suppressed. */
    public static IntervalHierarchy ageBands() {
        return new IntervalHierarchy(5, 10, 20);
    }

    @Override
    public int height() {
        return widths.length + 1;
    }

    @Override
    public String generalize(String value, int level) {
        if (level < 0 || level > height()) {
            throw new IllegalArgumentException("PHR-RESEARCH-0102: no level " + level);
        }
        if (level == 0) {
            return value;
        }
        if (level == height()) {
            return SUPPRESSED;
        }
        long v;
        try {
            v = Math.round(Math.floor(Double.parseDouble(value.trim())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PHR-RESEARCH-0103: not a number", e);
        }
        int w = widths[level - 1];
        long low = Math.floorDiv(v, w) * w;
        return "[" + low + "-" + (low + w) + ")";
    }
}
