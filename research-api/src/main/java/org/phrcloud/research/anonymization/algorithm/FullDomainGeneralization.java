package org.phrcloud.research.anonymization.algorithm;

import org.phrcloud.research.anonymization.EquivalenceClasses;
import org.phrcloud.research.anonymization.Table;
import org.phrcloud.research.anonymization.hierarchy.Hierarchy;
import org.phrcloud.research.anonymization.privacy.PrivacyModel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Optimal full-domain generalization (Samarati 2001; Sweeney 2002): every value of a quasi-identifier is
 * generalized to the same level of its hierarchy; a node of the generalization lattice is one level per
 * quasi-identifier. Classes that break a privacy model are suppressed when their records stay within the
 * suppression limit.
 *
 * <p>Search: the lattice's nodes are visited in ascending order of precision loss
 * ({@code Prec = mean over QIs of level / height}, Sweeney 2002), ties broken by the lower level sum, then
 * lexicographically; the first node that satisfies every model within the suppression limit is returned.
 * That node is optimal for Prec without assuming monotonicity. Flash's binary-search pruning
 * (Kohlmayer et al. 2012) is not implemented yet; the lattice is enumerated, which suits a handful of
 * quasi-identifiers.
 */
public final class FullDomainGeneralization {

    /**
     * @param input             the microdata
     * @param directIdentifiers columns removed from the release
     * @param quasiIdentifiers  column -> hierarchy, in the order levels are reported
     * @param models            privacy models every released class must satisfy
     * @param suppressionLimit  share of records (0..1) that may be suppressed
     * @return the optimal release, or empty when no node satisfies the models within the limit
     */
    public Optional<Anonymization> anonymize(Table input, List<String> directIdentifiers,
                                             LinkedHashMap<String, Hierarchy> quasiIdentifiers,
                                             List<PrivacyModel> models, double suppressionLimit) {
        List<String> qiNames = new ArrayList<>(quasiIdentifiers.keySet());
        List<Hierarchy> hierarchies = new ArrayList<>(quasiIdentifiers.values());
        int[] qi = input.indexes(qiNames);
        List<int[]> nodes = lattice(hierarchies);
        nodes.sort(Comparator.<int[]>comparingDouble(n -> precisionLoss(n, hierarchies))
                .thenComparingInt(n -> java.util.Arrays.stream(n).sum())
                .thenComparing(java.util.Arrays::compare));
        List<Map<String, String>> cache = new ArrayList<>();
        for (int i = 0; i < qi.length; i++) {
            cache.add(new HashMap<>());
        }
        int maxSuppressed = (int) Math.floor(suppressionLimit * input.size());
        for (int[] node : nodes) {
            List<List<String>> generalized = generalize(input.rows(), qi, hierarchies, node, cache);
            List<List<List<String>>> classes = EquivalenceClasses.of(generalized, qi);
            List<List<String>> kept = new ArrayList<>();
            int suppressed = 0;
            long dm = 0;
            for (List<List<String>> c : classes) {
                if (models.stream().allMatch(m -> m.isSatisfiedBy(input.columns(), c))) {
                    kept.addAll(c);
                    dm += (long) c.size() * c.size();
                } else {
                    suppressed += c.size();
                }
            }
            if (suppressed <= maxSuppressed) {
                dm += (long) suppressed * input.size();
                Table release = drop(new Table(input.columns(), kept), directIdentifiers);
                String description = java.util.stream.IntStream.range(0, node.length)
                        .mapToObj(i -> qiNames.get(i) + ":" + node[i]).collect(Collectors.joining(" "));
                return Optional.of(new Anonymization(release, suppressed, precisionLoss(node, hierarchies), dm, description));
            }
        }
        return Optional.empty();
    }

    static double precisionLoss(int[] node, List<Hierarchy> hierarchies) {
        double sum = 0;
        for (int i = 0; i < node.length; i++) {
            sum += (double) node[i] / hierarchies.get(i).height();
        }
        return sum / node.length;
    }

    private static List<int[]> lattice(List<Hierarchy> hierarchies) {
        List<int[]> nodes = new ArrayList<>();
        nodes.add(new int[hierarchies.size()]);
        for (int d = 0; d < hierarchies.size(); d++) {
            List<int[]> next = new ArrayList<>();
            for (int[] n : nodes) {
                for (int level = 0; level <= hierarchies.get(d).height(); level++) {
                    int[] m = n.clone();
                    m[d] = level;
                    next.add(m);
                }
            }
            nodes = next;
        }
        return nodes;
    }

    private static List<List<String>> generalize(List<List<String>> rows, int[] qi, List<Hierarchy> hierarchies,
                                                 int[] node, List<Map<String, String>> cache) {
        List<List<String>> out = new ArrayList<>(rows.size());
        for (List<String> row : rows) {
            List<String> g = new ArrayList<>(row);
            for (int i = 0; i < qi.length; i++) {
                int level = node[i];
                Hierarchy h = hierarchies.get(i);
                String value = row.get(qi[i]);
                g.set(qi[i], cache.get(i).computeIfAbsent(level + "\u0000" + value, k -> h.generalize(value, level)));
            }
            out.add(g);
        }
        return out;
    }

    static Table drop(Table table, List<String> columns) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < table.columns().size(); i++) {
            if (!columns.contains(table.columns().get(i))) {
                keep.add(i);
            }
        }
        return new Table(keep.stream().map(table.columns()::get).toList(),
                table.rows().stream().map(r -> keep.stream().map(r::get).toList()).toList());
    }
}
