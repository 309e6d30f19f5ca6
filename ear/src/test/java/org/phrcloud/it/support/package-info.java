/**
 * The one place for integration-test fixtures: real anvil, Keycloak (realm provisioned with demo users of
 * every role) and the Payara domain Arquillian starts, plus Synthea data. Test classes use
 * {@code @ExtendWith(PlatformExtension.class)} before Arquillian's extension.
 */
package org.phrcloud.it.support;
