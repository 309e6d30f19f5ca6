/**
 * Consent (ARCHITECTURE.md "Consent", "Read path"): access requests (FHIR Task), the patient's signed decisions
 * (FHIR Consent, the source of truth, chained by the ledger like every write in the Patient compartment), and the
 * index of grants the FHIR authorization reads on every request.
 */
package org.phrcloud.consent;
