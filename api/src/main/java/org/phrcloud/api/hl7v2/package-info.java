/** {@code /api/hl7v2}: HL7 v2 messages over HTTP. */
package org.phrcloud.api.hl7v2;
