package org.phrcloud.research.anonymization.privacy;

import java.util.List;

/**
 * Every equivalence class holds at least l distinct values of the sensitive attribute (Machanavajjhala
 * et al. 2007, "l-diversity: privacy beyond k-anonymity", section 4.1, distinct l-diversity).
 *
 * @param sensitiveColumn index of the sensitive attribute
 */
public record DistinctLDiversity(int sensitiveColumn, int l) implements PrivacyModel {
    @Override
    public boolean isSatisfiedBy(List<List<String>> equivalenceClass) {
        return equivalenceClass.stream().map(r -> r.get(sensitiveColumn)).distinct().count() >= l;
    }

    @Override
    public String name() {
        return "distinct " + l + "-diversity";
    }
}
