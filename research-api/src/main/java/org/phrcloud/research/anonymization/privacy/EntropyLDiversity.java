package org.phrcloud.research.anonymization.privacy;

import java.util.List;
import java.util.Map;

import java.util.stream.Collectors;

/**
 * The entropy of the sensitive attribute in every equivalence class is at least log(l):
 * {@code -sum p(s) log p(s) >= log l} (Machanavajjhala et al. 2007, definition 4.1, entropy l-diversity).
 *
 * @param sensitiveAttribute the name of the sensitive attribute's column
 */
public record EntropyLDiversity(String sensitiveAttribute, double l) implements PrivacyModel {
    @Override
    public boolean isSatisfiedBy(List<String> columns, List<List<String>> equivalenceClass) {
        return entropy(equivalenceClass, PrivacyModel.column(columns, sensitiveAttribute)) >= Math.log(l) - 1e-12;
    }

    /** @return the natural-log entropy of the column's values in the class */
    public static double entropy(List<List<String>> equivalenceClass, int column) {
        Map<String, Long> counts = equivalenceClass.stream()
                .collect(Collectors.groupingBy(r -> r.get(column), Collectors.counting()));
        double n = equivalenceClass.size();
        return -counts.values().stream().mapToDouble(c -> (c / n) * Math.log(c / n)).sum();
    }

    @Override
    public String name() {
        return "entropy " + l + "-diversity";
    }

}
