/** The FHIR servlet: HAPI's RestfulServer over the JPA resource providers, at {@code /fhir/*}. */
package org.phrcloud.standards.fhir.server;
