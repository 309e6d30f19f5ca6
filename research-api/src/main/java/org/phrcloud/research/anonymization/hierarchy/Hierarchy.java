package org.phrcloud.research.anonymization.hierarchy;

/**
 * A value generalization hierarchy of one quasi-identifier: level 0 is the original value, each level
 * above is coarser, and the top level {@link #height()} is total suppression ({@value #SUPPRESSED}).
 * Generalizing is monotone: two values equal at level h are equal at every level above h.
 */
public interface Hierarchy {
    String SUPPRESSED = "*";

    /** @return the number of levels above the original value; level {@code height()} is {@value #SUPPRESSED} */
    int height();

    /**
     * @param level 0..height()
     * @throws IllegalArgumentException for a value this hierarchy does not know, or a level out of range
     */
    String generalize(String value, int level);
}
