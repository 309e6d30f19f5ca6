package org.phrcloud.research.anonymization.privacy;

import java.util.List;

/**
 * Every equivalence class holds at least l distinct values of the sensitive attribute (Machanavajjhala
 * et al. 2007, "l-diversity: privacy beyond k-anonymity", section 4.1, distinct l-diversity).
 *
 * @param sensitiveAttribute the name of the sensitive attribute's column
 */
public record DistinctLDiversity(String sensitiveAttribute, int l) implements PrivacyModel {
    @Override
    public boolean isSatisfiedBy(List<String> columns, List<List<String>> equivalenceClass) {
        int column = PrivacyModel.column(columns, sensitiveAttribute);
        return equivalenceClass.stream().map(r -> r.get(column)).distinct().count() >= l;
    }

    @Override
    public String name() {
        return "distinct " + l + "-diversity";
    }

    /** A class with a part of l distinct values has at least l distinct values. */
    @Override
    public boolean monotoneWithSuppression() {
        return true;
    }
}
