/**
 * The anonymization engine, plain Java without framework dependencies (ARCHITECTURE.md: no library is
 * available here). {@code hierarchy}: generalization hierarchies of quasi-identifiers; {@code privacy}:
 * privacy models (k-anonymity, l-diversity); {@code algorithm}: full-domain lattice search and Mondrian;
 * {@code release}: the independent checker and the re-identification risk report.
 */
package org.phrcloud.research.anonymization;
