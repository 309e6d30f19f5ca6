package org.phrcloud.research.anonymization.privacy;

import org.phrcloud.research.anonymization.Table;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * t-closeness (Li, Li and Venkatasubramanian 2007, "t-Closeness: Privacy Beyond k-Anonymity and l-Diversity",
 * ICDE, definition 2): the distribution of the sensitive attribute in every equivalence class is within Earth
 * Mover's Distance t of its distribution in the whole table. Two ground distances of section 4.2:
 * <ul>
 *   <li>{@link #equalDistance}: every two values are at distance 1; the EMD is then the variational distance
 *       {@code D = 1/2 * sum |p_i - q_i|} (categorical attributes without an order);</li>
 *   <li>{@link #orderedDistance}: values in order {@code v_1 < ... < v_m} are at distance {@code |i - j| / (m - 1)};
 *       the EMD is {@code D = 1/(m - 1) * sum_i |r_1 + ... + r_i|} with {@code r = p - q} (numeric attributes;
 *       values that all parse as numbers are ordered numerically, others by their text).</li>
 * </ul>
 * The whole-table distribution {@code q} is taken from the input table, before any suppression, as the paper
 * defines it. t is in [0, 1]; smaller is stricter. Like the other models it is monotone under generalization:
 * the distribution of two merged classes is a mixture of theirs, and the EMD to a fixed distribution is convex,
 * so two classes within t merge into one within t.
 *
 * @param sensitiveAttribute the name of the sensitive attribute's column
 * @param t                  the largest distance allowed
 * @param order              the sensitive values in ground-distance order (every value of the input)
 * @param overall            each value's share of the input
 * @param ordered            true for the ordered distance, false for the equal distance
 */
public record TCloseness(String sensitiveAttribute, double t, List<String> order, Map<String, Double> overall, boolean ordered)
        implements PrivacyModel {
    public TCloseness {
        if (t < 0 || t > 1) {
            throw new IllegalArgumentException("PHR-RESEARCH-0203: t is between 0 and 1");
        }
        order = List.copyOf(order);
        overall = Map.copyOf(overall);
    }

    /** t-closeness with the equal ground distance, the overall distribution taken from {@code input}. */
    public static TCloseness equalDistance(Table input, String sensitiveAttribute, double t) {
        return of(input, sensitiveAttribute, t, false);
    }

    /** t-closeness with the ordered ground distance, the overall distribution taken from {@code input}. */
    public static TCloseness orderedDistance(Table input, String sensitiveAttribute, double t) {
        return of(input, sensitiveAttribute, t, true);
    }

    private static TCloseness of(Table input, String attribute, double t, boolean ordered) {
        int column = input.index(attribute);
        Map<String, Double> counts = new LinkedHashMap<>();
        input.rows().forEach(r -> counts.merge(r.get(column), 1.0, Double::sum));
        counts.replaceAll((v, c) -> c / input.size());
        List<String> order = new ArrayList<>(counts.keySet());
        boolean numeric = order.stream().allMatch(TCloseness::isNumber);
        order.sort(numeric ? Comparator.comparingDouble(Double::parseDouble) : Comparator.naturalOrder());
        return new TCloseness(attribute, t, order, counts, ordered);
    }

    @Override
    public boolean isSatisfiedBy(List<String> columns, List<List<String>> equivalenceClass) {
        return distance(columns, equivalenceClass) <= t + 1e-12;
    }

    /**
     * @return the Earth Mover's Distance between the class's distribution and the overall one
     * @throws IllegalArgumentException for a value the input did not have
     */
    public double distance(List<String> columns, List<List<String>> equivalenceClass) {
        int column = PrivacyModel.column(columns, sensitiveAttribute);
        Map<String, Double> p = new HashMap<>();
        equivalenceClass.forEach(r -> p.merge(r.get(column), 1.0 / equivalenceClass.size(), Double::sum));
        for (String v : p.keySet()) {
            if (!overall.containsKey(v)) {
                throw new IllegalArgumentException("PHR-RESEARCH-0204: a sensitive value the input did not have");
            }
        }
        double d = 0;
        if (ordered) {
            if (order.size() < 2) {
                return 0;
            }
            double cumulative = 0;
            for (String v : order) {
                cumulative += p.getOrDefault(v, 0.0) - overall.get(v);
                d += Math.abs(cumulative);
            }
            return d / (order.size() - 1);
        }
        for (String v : order) {
            d += Math.abs(p.getOrDefault(v, 0.0) - overall.get(v));
        }
        return d / 2;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return (ordered ? "ordered" : "equal") + "-distance " + t + "-closeness";
    }
}
