package org.phrcloud.identity.keycloak;

import java.util.List;

/**
 * The result of provisioning, written as JSON to the state file that {@code ./phr} and tests read.
 *
 * @param realm               realm name, {@code phr}
 * @param issuer              the realm URL as it appears in {@code iss}
 * @param backendClientId     confidential client (service account; also the API audience)
 * @param backendClientSecret its secret (generated once per installation)
 * @param portalClientId      public client for the portal (authorization code + PKCE S256)
 * @param directoryClientSecret secret of {@code phr-directory}, the server's client for account administration
 * @param users               one demo user per role
 * @param portalWebClientId   confidential client of the portal web application (authorization code flow)
 * @param portalWebClientSecret its secret, read by the server through {@code PHR_PORTAL_CLIENT_SECRET_FILE}
 */
public record ProvisionedRealm(String realm, String issuer, String backendClientId, String backendClientSecret,
                               String portalClientId, List<DemoUser> users, String directoryClientSecret,
                               String portalWebClientId, String portalWebClientSecret) {
    public ProvisionedRealm {
        users = List.copyOf(users);
    }

    public DemoUser user(String username) {
        return users.stream().filter(u -> u.username().equals(username)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("PHR-IDENTITY-0010: no demo user " + username));
    }
}
