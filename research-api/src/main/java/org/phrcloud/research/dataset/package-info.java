/**
 * Anonymized research data sets (ARCHITECTURE.md, "Research data sets"): a researcher's request (cohort, attributes
 * and their classes, privacy model) is run as a job over the research pool of one of their studies (patients whose
 * HRESCH consent is in force); the records are extracted server-side, anonymized with the engine of research-api
 * ({@code org.phrcloud.research.anonymization}), confirmed by its independent checker, and released as a database of
 * their own with CSV and FHIR NDJSON exports, a risk report and provenance. Every step is an AuditEvent.
 */
package org.phrcloud.research.dataset;
