/**
 * Loading FHIR transaction Bundles into the server over its REST API, idempotently: used by
 * {@code ./phr up} for the Synthea demo patients and by the integration tests.
 */
package org.phrcloud.standards.fhir.load;
