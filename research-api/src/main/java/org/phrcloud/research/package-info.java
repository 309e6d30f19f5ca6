/**
 * Anonymized research data sets (ARCHITECTURE.md, "Research data sets"): cohort selection from
 * consenting patients, k-anonymity / l-diversity, risk report, access log. Served at {@code /api/research}.
 */
package org.phrcloud.research;
