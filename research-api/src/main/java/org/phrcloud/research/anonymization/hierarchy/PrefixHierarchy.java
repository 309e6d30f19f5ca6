package org.phrcloud.research.anonymization.hierarchy;

/**
 * Codes generalized by masking trailing characters, one more per level: postal codes ({@code 13053} ->
 * {@code 1305*} -> {@code 130**} ...), region codes. Height = the code length; the top level is {@code *}.
 */
public final class PrefixHierarchy implements Hierarchy {
    private final int length;

    /** @param length the length of every code */
    public PrefixHierarchy(int length) {
        this.length = length;
    }

    @Override
    public int height() {
        return length;
    }

    @Override
    public String generalize(String value, int level) {
        if (level < 0 || level > height()) {
            throw new IllegalArgumentException("PHR-RESEARCH-0102: no level " + level);
        }
        if (value.length() != length) {
            throw new IllegalArgumentException("PHR-RESEARCH-0104: a code of length " + value.length() + ", expected " + length);
        }
        if (level == height()) {
            return SUPPRESSED;
        }
        return value.substring(0, length - level) + "*".repeat(level);
    }
}
