package org.phrcloud.research.anonymization.algorithm;

import org.phrcloud.research.anonymization.EquivalenceClasses;
import org.phrcloud.research.anonymization.Table;
import org.phrcloud.research.anonymization.hierarchy.Hierarchy;
import org.phrcloud.research.anonymization.privacy.PrivacyModel;

import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>The result is the node with the lowest precision loss ({@code Prec = mean over QIs of level / height},
 * Sweeney 2002) that satisfies every model within the suppression limit; ties go to the lower level sum, then
 * lexicographically. Two searches give it:
 * <ul>
 *   <li><b>Best first</b>: nodes in ascending Prec, and the first that satisfies wins. It needs no monotonicity,
 *       and it is the cheaper one when the optimum is low in the lattice.</li>
 *   <li><b>OLA</b> (El Emam et al. 2009, "A globally optimal k-anonymity method for the de-identification of
 *       health data", JAMIA 16(5)). It needs a monotone criterion: no suppression, or only models with
 *       {@link PrivacyModel#monotoneWithSuppression()}. It recursively halves the sub-lattice between a node
 *       known to fail and one known to satisfy, and checks the nodes at middle height. A satisfying node tags
 *       all its generalizations, a failing one all its specializations (predictive tagging), so those are never
 *       checked. The k-minimal nodes it collects hold the optimum.</li>
 * </ul>
 * {@link #anonymize} uses OLA when the criterion is monotone and the lattice has more than
 * {@value #OLA_FROM_NODES} nodes, and best first otherwise ({@link #using} chooses). Both give the same node
 * (tested on random tables).
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
        Comparator<int[]> order = Comparator.<int[]>comparingDouble(n -> precisionLoss(n, hierarchies))
                .thenComparingInt(FullDomainGeneralization::sum)
                .thenComparing(Arrays::compare);
        nodes.sort(order);
        List<Map<String, String>> cache = new ArrayList<>();
        for (int i = 0; i < qi.length; i++) {
            cache.add(new HashMap<>());
        }
        int maxSuppressed = (int) Math.floor(suppressionLimit * input.size());
        boolean monotone = suppressionLimit == 0 || models.stream().allMatch(PrivacyModel::monotoneWithSuppression);
        Search search = new Search(input, qi, hierarchies, cache, models, maxSuppressed);
        boolean ola = monotone && (strategy == Strategy.OLA || strategy == Strategy.AUTO && nodes.size() > OLA_FROM_NODES);
        Optional<int[]> best = ola ? search.ola(nodes, order) : search.bestFirst(nodes);
        checked = search.checked;
        return best.map(node -> release(search, input, directIdentifiers, qiNames, hierarchies, node));
    }

    /** Lattices larger than this are searched with OLA when the criterion is monotone. */
    public static final int OLA_FROM_NODES = 200;

    /** Which search {@link #anonymize} runs. */
    public enum Strategy {
        /** OLA for a monotone criterion on a lattice of more than {@value #OLA_FROM_NODES} nodes, best first otherwise. */
        AUTO,
        /** OLA whenever the criterion is monotone (best first otherwise). */
        OLA,
        /** Always best first. */
        BEST_FIRST
    }

    private Strategy strategy = Strategy.AUTO;
    private int checked;

    /** Chooses the search (default {@link Strategy#AUTO}); both give the same node. */
    public FullDomainGeneralization using(Strategy strategy) {
        this.strategy = strategy;
        return this;
    }

    /** Lattice nodes whose privacy the last {@link #anonymize} checked; the others were tagged or not reached. */
    public int nodesChecked() {
        return checked;
    }

    /** One search: the input, the checks it made and the tags it knows. */
    private static final class Search {
        final Table input;
        final int[] qi;
        final List<Hierarchy> hierarchies;
        final List<Map<String, String>> cache;
        final List<PrivacyModel> models;
        final int maxSuppressed;
        final Map<String, Boolean> tags = new HashMap<>();
        final List<int[]> satisfying = new ArrayList<>(); // checked nodes that satisfy: their generalizations do too
        final List<int[]> failing = new ArrayList<>();    // checked nodes that fail: their specializations do too
        int checked;

        Search(Table input, int[] qi, List<Hierarchy> hierarchies, List<Map<String, String>> cache, List<PrivacyModel> models,
               int maxSuppressed) {
            this.input = input;
            this.qi = qi;
            this.hierarchies = hierarchies;
            this.cache = cache;
            this.models = models;
            this.maxSuppressed = maxSuppressed;
        }

        Optional<int[]> bestFirst(List<int[]> nodes) {
            for (int[] node : nodes) {
                checked++;
                if (classes(node) != null) {
                    return Optional.of(node);
                }
            }
            return Optional.empty();
        }

        Optional<int[]> ola(List<int[]> nodes, Comparator<int[]> order) {
            int[] bottom = new int[qi.length];
            int[] top = hierarchies.stream().mapToInt(Hierarchy::height).toArray();
            if (!satisfies(top)) {
                return Optional.empty();
            }
            List<int[]> candidates = new ArrayList<>();
            kMin(bottom, top, nodes, candidates);
            // the optimum is a k-minimal node: a candidate with no satisfying specialization among the candidates
            return candidates.stream()
                    .filter(c -> candidates.stream().noneMatch(o -> o != c && !Arrays.equals(o, c) && leq(o, c)))
                    .min(order);
        }

        /** OLA's recursion over the sub-lattice between {@code b} (bottom) and {@code t} (top). */
        private void kMin(int[] b, int[] t, List<int[]> nodes, List<int[]> candidates) {
            int hb = sum(b);
            int ht = sum(t);
            if (ht - hb > 1) {
                int mid = (hb + ht) / 2;
                for (int[] n : nodes) {
                    if (sum(n) == mid && leq(b, n) && leq(n, t)) {
                        if (satisfies(n)) {
                            kMin(b, n, nodes, candidates);
                        } else {
                            kMin(n, t, nodes, candidates);
                        }
                    }
                }
            } else if (satisfies(b)) {
                candidates.add(b);
            } else if (satisfies(t)) {
                candidates.add(t);
            }
        }

        /** Whether a node satisfies, from its tags when it can: checked only when neither tag applies. */
        boolean satisfies(int[] node) {
            String key = Arrays.toString(node);
            Boolean tagged = tags.get(key);
            if (tagged != null) {
                return tagged;
            }
            boolean result;
            if (satisfying.stream().anyMatch(s -> leq(s, node))) {
                result = true;
            } else if (failing.stream().anyMatch(f -> leq(node, f))) {
                result = false;
            } else {
                checked++;
                result = classes(node) != null;
                (result ? satisfying : failing).add(node);
            }
            tags.put(key, result);
            return result;
        }

        /** The released classes of a node, or null when more than {@code maxSuppressed} records break a model. */
        List<List<List<String>>> classes(int[] node) {
            List<List<String>> generalized = generalize(input.rows(), qi, hierarchies, node, cache);
            List<List<List<String>>> kept = new ArrayList<>();
            int suppressed = 0;
            for (List<List<String>> c : EquivalenceClasses.of(generalized, qi)) {
                if (models.stream().allMatch(m -> m.isSatisfiedBy(input.columns(), c))) {
                    kept.add(c);
                } else {
                    suppressed += c.size();
                    if (suppressed > maxSuppressed) {
                        return null;
                    }
                }
            }
            return kept;
        }
    }

    /** @return true if every level of {@code a} is at most that of {@code b} ({@code b} generalizes {@code a}) */
    private static boolean leq(int[] a, int[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) {
                return false;
            }
        }
        return true;
    }

    private static int sum(int[] node) {
        return Arrays.stream(node).sum();
    }

    private static Anonymization release(Search search, Table input, List<String> directIdentifiers, List<String> qiNames,
                                         List<Hierarchy> hierarchies, int[] node) {
        List<List<String>> kept = new ArrayList<>();
        long dm = 0;
        for (List<List<String>> c : search.classes(node)) {
            kept.addAll(c);
            dm += (long) c.size() * c.size();
        }
        int suppressed = input.size() - kept.size();
        dm += (long) suppressed * input.size();
        Table release = drop(new Table(input.columns(), kept), directIdentifiers);
        String description = java.util.stream.IntStream.range(0, node.length)
                .mapToObj(i -> qiNames.get(i) + ":" + node[i]).collect(Collectors.joining(" "));
        return new Anonymization(release, suppressed, precisionLoss(node, hierarchies), dm, description);
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
