/** Generalization hierarchies (Sweeney 2002, "Achieving k-anonymity privacy protection using generalization and suppression"). */
package org.phrcloud.research.anonymization.hierarchy;
