/** Consent end to end: requests, signed decisions, and what each consent state and level opens on the FHIR API. */
package org.phrcloud.it.consent;
