package org.phrcloud.research.anonymization.release;

import org.phrcloud.research.anonymization.EquivalenceClasses;
import org.phrcloud.research.anonymization.Table;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Re-identification risk of a release under the prosecutor model (El Emam and Dankar 2008, "Protecting
 * privacy using k-anonymity", JAMIA 15(5)): a record in a class of size f is re-identified with
 * probability 1/f.
 *
 * @param records             records released
 * @param suppressedRecords   records removed by suppression
 * @param classSizes          class size -> number of classes of that size
 * @param highestRisk         max over records of 1/f (0 for an empty release)
 * @param averageRisk         mean over records of 1/f = classes / records
 * @param riskThreshold       the risk above which a record counts as at risk
 * @param shareOfRecordsAtRisk records with 1/f above the threshold, as a share of the records released
 */
public record RiskReport(int records, int suppressedRecords, Map<Integer, Integer> classSizes, double highestRisk,
                         double averageRisk, double riskThreshold, double shareOfRecordsAtRisk) {

    public static RiskReport of(Table release, List<String> quasiIdentifiers, int suppressedRecords, double riskThreshold) {
        var classes = EquivalenceClasses.of(release.rows(), release.indexes(quasiIdentifiers));
        Map<Integer, Integer> sizes = new TreeMap<>();
        int atRisk = 0;
        int smallest = Integer.MAX_VALUE;
        for (var c : classes) {
            sizes.merge(c.size(), 1, Integer::sum);
            smallest = Math.min(smallest, c.size());
            if (1.0 / c.size() > riskThreshold) {
                atRisk += c.size();
            }
        }
        int n = release.size();
        return new RiskReport(n, suppressedRecords, sizes, n == 0 ? 0 : 1.0 / smallest,
                n == 0 ? 0 : (double) classes.size() / n, riskThreshold, n == 0 ? 0 : (double) atRisk / n);
    }
}
