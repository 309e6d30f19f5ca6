package org.phrcloud.research.anonymization.privacy;

import java.util.List;

/**
 * A privacy criterion that holds for a table when it holds for each of its equivalence classes. All
 * models here are monotone under generalization (merging two classes that satisfy it gives a class that
 * satisfies it), which lattice pruning relies on.
 */
public interface PrivacyModel {
    /**
     * @param columns          the column names of the rows (models name their attributes, so they hold on a
     *                         release whose direct identifiers were dropped as on the input)
     * @param equivalenceClass whole rows that share their quasi-identifier values
     */
    boolean isSatisfiedBy(List<String> columns, List<List<String>> equivalenceClass);

    /** A short name for reports, e.g. {@code 5-anonymity}. */
    String name();

    /**
     * Whether a class that contains a satisfying class as a part always satisfies. Then generalizing never
     * suppresses a record that was released before, and the lattice search may prune with a suppression limit
     * too: k-anonymity and distinct l-diversity. Entropy l-diversity and t-closeness are not, since a merged
     * class can fail when its other part fails badly. Without suppression every model here is monotone.
     */
    default boolean monotoneWithSuppression() {
        return false;
    }

    /**
     * @return the index of the named attribute among the columns
     * @throws IllegalArgumentException when it is not a column
     */
    static int column(List<String> columns, String attribute) {
        int i = columns.indexOf(attribute);
        if (i < 0) {
            throw new IllegalArgumentException("PHR-RESEARCH-0202: no sensitive attribute " + attribute);
        }
        return i;
    }
}
