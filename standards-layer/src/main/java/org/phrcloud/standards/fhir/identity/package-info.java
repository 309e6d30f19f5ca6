/**
 * The FHIR side of the master patient index: every Patient written through FHIR creates or links its identity,
 * inside HAPI FHIR's database transaction.
 */
package org.phrcloud.standards.fhir.identity;
