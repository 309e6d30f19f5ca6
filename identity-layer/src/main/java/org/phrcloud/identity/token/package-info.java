/** Checks of OAuth 2.0 bearer access tokens issued by the {@code phr} Keycloak realm. */
package org.phrcloud.identity.token;
