/**
 * Layer 3 of PHR Cloud: HL7 FHIR R4 on HAPI FHIR JPA (and, later, HL7 v2 ingestion). This module is the
 * self-contained WAR in the EAR that owns the FHIR database.
 */
package org.phrcloud.standards;
