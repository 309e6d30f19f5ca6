/** Validation of incoming FHIR resources against the R4 base profiles, offline. */
package org.phrcloud.standards.fhir.validation;
