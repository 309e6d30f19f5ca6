/** Integration tests of the FHIR R4 server deployed in the EAR. */
package org.phrcloud.it.fhir;
