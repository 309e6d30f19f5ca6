/**
 * The audit trail (ARCHITECTURE.md "Read path"): one FHIR AuditEvent, shaped after IHE Basic Audit Log Patterns
 * (BALP), per read, search, write, operation and refused attempt; stored append only, hash-chained and anchored
 * through the ledger; readable by the patient it is about ("who accessed my record").
 */
package org.phrcloud.audit;
