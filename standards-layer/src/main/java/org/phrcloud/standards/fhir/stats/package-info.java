/**
 * Aggregates over a patient's Observations: FHIR R4 {@code Observation/$stats}, what a consent of level
 * {@code information} opens besides counts (ranges, trends; never a single resource).
 */
package org.phrcloud.standards.fhir.stats;
