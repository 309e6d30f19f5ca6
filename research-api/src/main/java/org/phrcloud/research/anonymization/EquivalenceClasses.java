package org.phrcloud.research.anonymization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups records by their quasi-identifier values: each group is an equivalence class (Sweeney 2002,
 * "k-anonymity: a model for protecting privacy", definition 4: records indistinguishable on the QIs).
 */
public final class EquivalenceClasses {
    private EquivalenceClasses() {
    }

    /** @return the classes in first-seen order, each a list of whole rows */
    public static List<List<List<String>>> of(List<List<String>> rows, int[] quasiIdentifiers) {
        Map<List<String>, List<List<String>>> classes = new LinkedHashMap<>();
        for (List<String> row : rows) {
            List<String> key = new ArrayList<>(quasiIdentifiers.length);
            for (int qi : quasiIdentifiers) {
                key.add(row.get(qi));
            }
            classes.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
        }
        return new ArrayList<>(classes.values());
    }
}
