package org.phrcloud.research.anonymization.algorithm;

import org.phrcloud.research.anonymization.Table;
import org.phrcloud.research.anonymization.privacy.PrivacyModel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Strict multidimensional partitioning, Mondrian (LeFevre, DeWitt, Ramakrishnan 2006, "Mondrian
 * multidimensional k-anonymity", ICDE), for numeric quasi-identifiers: a partition is split at the median
 * of the quasi-identifier with the widest normalized range, when both halves satisfy every privacy model;
 * otherwise the next widest is tried; a partition with no allowable cut is released with each
 * quasi-identifier as its range {@code [min-max]} (or the single value). Nothing is suppressed: the
 * whole table must satisfy the models, or the result is empty.
 *
 * <p>Information loss: normalized certainty penalty (Xu et al. 2006, "Utility-based anonymization using
 * local recoding"): mean over records and quasi-identifiers of range width / domain width.
 */
public final class Mondrian {

    public java.util.Optional<Anonymization> anonymize(Table input, List<String> directIdentifiers,
                                                       List<String> numericQuasiIdentifiers, List<PrivacyModel> models) {
        int[] qi = input.indexes(numericQuasiIdentifiers);
        if (!models.stream().allMatch(m -> m.isSatisfiedBy(input.columns(), input.rows()))) {
            return java.util.Optional.empty();
        }
        double[][] domain = new double[qi.length][2];
        for (int d = 0; d < qi.length; d++) {
            domain[d] = range(input.rows(), qi[d]);
        }
        List<List<List<String>>> leaves = new ArrayList<>();
        split(new ArrayList<>(input.rows()), input.columns(), qi, domain, models, leaves);

        List<List<String>> released = new ArrayList<>();
        double penalty = 0;
        long dm = 0;
        for (List<List<String>> leaf : leaves) {
            String[] labels = new String[qi.length];
            for (int d = 0; d < qi.length; d++) {
                double[] r = range(leaf, qi[d]);
                labels[d] = r[0] == r[1] ? format(r[0]) : "[" + format(r[0]) + "-" + format(r[1]) + "]";
                double width = domain[d][1] - domain[d][0];
                penalty += width == 0 ? 0 : leaf.size() * (r[1] - r[0]) / width;
            }
            for (List<String> row : leaf) {
                List<String> g = new ArrayList<>(row);
                for (int d = 0; d < qi.length; d++) {
                    g.set(qi[d], labels[d]);
                }
                released.add(g);
            }
            dm += (long) leaf.size() * leaf.size();
        }
        double ncp = input.size() == 0 ? 0 : penalty / ((double) input.size() * qi.length);
        Table release = FullDomainGeneralization.drop(new Table(input.columns(), released), directIdentifiers);
        return java.util.Optional.of(new Anonymization(release, 0, ncp, dm, leaves.size() + " partitions"));
    }

    private static void split(List<List<String>> partition, List<String> columns, int[] qi, double[][] domain,
                              List<PrivacyModel> models, List<List<List<String>>> leaves) {
        Integer[] dims = new Integer[qi.length];
        for (int d = 0; d < qi.length; d++) {
            dims[d] = d;
        }
        java.util.Arrays.sort(dims, Comparator.comparingDouble(d -> {
            double[] r = range(partition, qi[d]);
            double w = domain[d][1] - domain[d][0];
            return w == 0 ? 0 : -(r[1] - r[0]) / w;
        }));
        for (int d : dims) {
            int col = qi[d];
            List<List<String>> sorted = new ArrayList<>(partition);
            sorted.sort(Comparator.comparingDouble(r -> number(r.get(col))));
            double median = number(sorted.get(sorted.size() / 2).get(col));
            List<List<String>> left = new ArrayList<>();
            List<List<String>> right = new ArrayList<>();
            for (List<String> r : sorted) {
                (number(r.get(col)) < median ? left : right).add(r);
            }
            if (!left.isEmpty() && !right.isEmpty()
                    && models.stream().allMatch(m -> m.isSatisfiedBy(columns, left) && m.isSatisfiedBy(columns, right))) {
                split(left, columns, qi, domain, models, leaves);
                split(right, columns, qi, domain, models, leaves);
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
