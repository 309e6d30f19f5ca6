/** Anonymization algorithms: optimal full-domain generalization, and Mondrian multidimensional partitioning. */
package org.phrcloud.research.anonymization.algorithm;
