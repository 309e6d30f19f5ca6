/** HL7 v2 ingestion end to end: HAPI's MLLP client and HTTP against the deployed platform. */
package org.phrcloud.it.hl7v2;
