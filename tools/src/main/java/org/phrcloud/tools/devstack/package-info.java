/** The development stack (anvil, Keycloak, a Payara domain) defined once for ./phr and the integration tests. */
package org.phrcloud.tools.devstack;
