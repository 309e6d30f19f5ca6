/**
 * HL7 v2 ingestion: messages from hospital, laboratory and pharmacy systems (MLLP and HTTP), parsed into the v2.5.1
 * canonical model, mapped to FHIR after the HL7 V2-to-FHIR implementation guide and stored through the FHIR write
 * path (ledger block, AuditEvent) exactly once per sending facility and message control id.
 */
package org.phrcloud.standards.hl7v2;
