/** Integration tests of authentication against the real Keycloak. */
package org.phrcloud.it.identity;
