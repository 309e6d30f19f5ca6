package org.phrcloud.research.anonymization.algorithm;

import org.phrcloud.research.anonymization.Table;
import org.phrcloud.research.anonymization.hierarchy.Hierarchy;
import org.phrcloud.research.anonymization.privacy.PrivacyModel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Strict multidimensional partitioning, Mondrian (LeFevre, DeWitt, Ramakrishnan 2006, "Mondrian
 * multidimensional k-anonymity", ICDE). A partition is split on the quasi-identifier with the widest
 * normalized range, when every part satisfies every privacy model; otherwise the next widest is tried; a
 * partition with no allowable cut is released.
 * <ul>
 *   <li>Numeric quasi-identifiers are cut at the median and released as their range {@code [min-max]} (or
 *       the single value).</li>
 *   <li>Categorical quasi-identifiers follow their hierarchy (section 4 of the paper): a partition whose
 *       values meet at level h of the hierarchy is split into one part per value at level h - 1. It is
 *       released as the value at the lowest level where its values meet. Its normalized width is h / height.</li>
 * </ul>
 * Nothing is suppressed: the whole table must satisfy the models, or the result is empty.
 *
 * <p>Information loss: normalized certainty penalty (Xu et al. 2006, "Utility-based anonymization using
 * local recoding"): mean over records and quasi-identifiers of the width, range width / domain width for
 * numeric ones and h / height for categorical ones.
 */
public final class Mondrian {

    /** Mondrian over numeric quasi-identifiers only. */
    public java.util.Optional<Anonymization> anonymize(Table input, List<String> directIdentifiers,
                                                       List<String> numericQuasiIdentifiers, List<PrivacyModel> models) {
        return anonymize(input, directIdentifiers, numericQuasiIdentifiers, new java.util.LinkedHashMap<>(), models);
    }

    /**
     * @param numericQuasiIdentifiers     columns of numbers
     * @param categoricalQuasiIdentifiers columns generalized along their hierarchy
     * @return the release, or empty when the whole table does not satisfy the models
     * @throws IllegalArgumentException for a non-numeric value in a numeric column, or a value a hierarchy does not know
     */
    public java.util.Optional<Anonymization> anonymize(Table input, List<String> directIdentifiers,
                                                       List<String> numericQuasiIdentifiers,
                                                       java.util.LinkedHashMap<String, Hierarchy> categoricalQuasiIdentifiers,
                                                       List<PrivacyModel> models) {
        if (!models.stream().allMatch(m -> m.isSatisfiedBy(input.columns(), input.rows()))) {
            return java.util.Optional.empty();
        }
        List<Dimension> dims = new ArrayList<>();
        for (String column : numericQuasiIdentifiers) {
            int col = input.index(column);
            dims.add(new Dimension(col, null, range(input.rows(), col)));
        }
        for (var e : categoricalQuasiIdentifiers.entrySet()) {
            dims.add(new Dimension(input.index(e.getKey()), e.getValue(), null));
        }
        List<List<List<String>>> leaves = new ArrayList<>();
        split(new ArrayList<>(input.rows()), input.columns(), dims, models, leaves);

        List<List<String>> released = new ArrayList<>();
        double penalty = 0;
        long dm = 0;
        for (List<List<String>> leaf : leaves) {
            String[] labels = new String[dims.size()];
            for (int d = 0; d < dims.size(); d++) {
                Dimension dim = dims.get(d);
                labels[d] = dim.label(leaf);
                penalty += leaf.size() * dim.width(leaf);
            }
            for (List<String> row : leaf) {
                List<String> g = new ArrayList<>(row);
                for (int d = 0; d < dims.size(); d++) {
                    g.set(dims.get(d).column, labels[d]);
                }
                released.add(g);
            }
            dm += (long) leaf.size() * leaf.size();
        }
        double ncp = input.size() == 0 || dims.isEmpty() ? 0 : penalty / ((double) input.size() * dims.size());
        Table release = FullDomainGeneralization.drop(new Table(input.columns(), released), directIdentifiers);
        return java.util.Optional.of(new Anonymization(release, 0, ncp, dm, leaves.size() + " partitions"));
    }

    /** A quasi-identifier: numeric with its domain range, or categorical with its hierarchy. */
    private record Dimension(int column, Hierarchy hierarchy, double[] domain) {
        /** Normalized width of a partition on this dimension, in [0, 1]. */
        double width(List<List<String>> rows) {
            if (hierarchy != null) {
                return hierarchy.height() == 0 ? 0 : (double) meet(rows) / hierarchy.height();
            }
            double[] r = range(rows, column);
            double w = domain[1] - domain[0];
            return w == 0 ? 0 : (r[1] - r[0]) / w;
        }

        String label(List<List<String>> rows) {
            if (hierarchy != null) {
                return hierarchy.generalize(rows.get(0).get(column), meet(rows));
            }
            double[] r = range(rows, column);
            return r[0] == r[1] ? format(r[0]) : "[" + format(r[0]) + "-" + format(r[1]) + "]";
        }

        /** The lowest level of the hierarchy at which all values of the rows are equal. */
        int meet(List<List<String>> rows) {
            for (int level = 0; level < hierarchy.height(); level++) {
                String first = hierarchy.generalize(rows.get(0).get(column), level);
                int l = level;
                if (rows.stream().allMatch(r -> hierarchy.generalize(r.get(column), l).equals(first))) {
                    return level;
                }
            }
            return hierarchy.height();
        }

        /** The allowable cut's parts: median halves (numeric) or one part per value a level below the meet. */
        List<List<List<String>>> cut(List<List<String>> rows) {
            if (hierarchy != null) {
                int level = meet(rows);
                if (level == 0) {
                    return List.of(rows);
                }
                java.util.Map<String, List<List<String>>> parts = new java.util.LinkedHashMap<>();
                for (List<String> r : rows) {
                    parts.computeIfAbsent(hierarchy.generalize(r.get(column), level - 1), k -> new ArrayList<>()).add(r);
                }
                return new ArrayList<>(parts.values());
            }
            List<List<String>> sorted = new ArrayList<>(rows);
            sorted.sort(Comparator.comparingDouble(r -> number(r.get(column))));
            double median = number(sorted.get(sorted.size() / 2).get(column));
            List<List<String>> left = new ArrayList<>();
            List<List<String>> right = new ArrayList<>();
            for (List<String> r : sorted) {
                (number(r.get(column)) < median ? left : right).add(r);
            }
            return left.isEmpty() || right.isEmpty() ? List.of(rows) : List.of(left, right);
        }
    }

    private static void split(List<List<String>> partition, List<String> columns, List<Dimension> dims,
                              List<PrivacyModel> models, List<List<List<String>>> leaves) {
        List<Dimension> widestFirst = new ArrayList<>(dims);
        widestFirst.sort(Comparator.comparingDouble((Dimension d) -> -d.width(partition)));
        for (Dimension d : widestFirst) {
            List<List<List<String>>> parts = d.cut(partition);
            if (parts.size() > 1 && parts.stream().allMatch(p -> models.stream().allMatch(m -> m.isSatisfiedBy(columns, p)))) {
                for (List<List<String>> p : parts) {
                    split(p, columns, dims, models, leaves);
                }
                return;
            }
        }
        leaves.add(partition);
    }

    private static double[] range(List<List<String>> rows, int col) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (List<String> r : rows) {
            double v = number(r.get(col));
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new double[]{min, max};
    }

    private static double number(String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PHR-RESEARCH-0301: Mondrian needs numeric quasi-identifiers", e);
        }
    }

    private static String format(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
