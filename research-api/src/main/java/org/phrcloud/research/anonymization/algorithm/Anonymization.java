package org.phrcloud.research.anonymization.algorithm;

import org.phrcloud.research.anonymization.Table;

/**
 * What an algorithm released, with its information loss.
 *
 * @param release           the anonymized table (direct identifiers removed, quasi-identifiers generalized,
 *                          suppressed records removed)
 * @param suppressedRecords records removed because their class broke a privacy model
 * @param informationLoss   the algorithm's loss measure in [0, 1]: precision loss (Sweeney 2002) for
 *                          full-domain generalization, normalized certainty penalty (Xu et al. 2006) for Mondrian
 * @param discernibility    discernibility metric (Bayardo and Agrawal 2005): sum of class size squared,
 *                          plus n for each suppressed record
 * @param description       the generalization chosen, e.g. {@code zip:1 age:2 nationality:1}, or the number of partitions
 */
public record Anonymization(Table release, int suppressedRecords, double informationLoss, long discernibility,
                            String description) {
}
