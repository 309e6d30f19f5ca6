/**
 * The FHIR R4 server at {@code /fhir}: {@code config} wires HAPI FHIR JPA in plain Spring, {@code server}
 * is the servlet, {@code security} the interceptors that guard every request, {@code load} bulk loading
 * of transaction Bundles (demo data, migrations).
 */
package org.phrcloud.standards.fhir;
