/** Who calls a FHIR request and under which purpose of use: the {@code Caller} bound to HAPI's request details. */
package org.phrcloud.core.caller;
