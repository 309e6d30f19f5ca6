/**
 * Interceptors that guard every FHIR request: authentication here; authorization, consent and audit
 * follow (identity and consent issues). Deny is the default.
 */
package org.phrcloud.standards.fhir.security;
