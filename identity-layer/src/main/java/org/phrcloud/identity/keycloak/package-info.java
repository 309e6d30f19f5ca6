/**
 * Provisioning of the {@code phr} Keycloak realm through keycloak-admin-client: realm roles, the
 * confidential backend client, the public portal client (PKCE), demo users with TOTP. Runs outside the
 * application server: {@code ./phr up} and the integration tests call {@code org.phrcloud.tools.ProvisionRealmCommand} (tools module).
 */
package org.phrcloud.identity.keycloak;
