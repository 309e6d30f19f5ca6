/**
 * The FHIR side of the ledger (ARCHITECTURE.md write path step 3): every write in a Patient compartment appends a
 * signed block to that patient's chain inside HAPI FHIR's database transaction.
 */
package org.phrcloud.standards.fhir.ledger;
