package org.phrcloud.identity.keycloak;

import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientMappingsRepresentation;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.GroupRepresentation;
import org.keycloak.representations.idm.MappingsRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code phr} realm as a file for Keycloak in production ({@code kc.sh start --import-realm}, the chart's
 * {@code keycloak.realmImport}, the operator's {@code KeycloakRealmImport}), made from a realm that
 * {@link RealmProvisioner} provisioned, so the file and {@code ./phr up} never describe two different realms.
 *
 * <p>What it holds: Keycloak's partial export of the realm (settings, OTP policy, the step-up browser flow, required
 * actions, roles, the institution groups, the clients) and the clients' service-account users with their groups and
 * roles (a partial export leaves users out; without them the backend's service account would lose its institution).
 * No person's account: people are created by the admins ({@code /api/identity/admin/users}). No key: the importing
 * Keycloak makes the realm's signing keys. No secret: each
 * confidential client's secret is an environment placeholder Keycloak resolves at import ("Importing and exporting
 * realms", using environment variables within the realm configuration files): {@link #SECRET_VARIABLES}.
 */
public final class RealmFile {
    /** Client id to the environment variable that holds its secret at import. */
    public static final Map<String, String> SECRET_VARIABLES = Map.of(
            RealmProvisioner.BACKEND_CLIENT, "PHR_BACKEND_CLIENT_SECRET",
            RealmProvisioner.PORTAL_WEB_CLIENT, "PHR_PORTAL_CLIENT_SECRET",
            RealmProvisioner.DIRECTORY_CLIENT, "PHR_DIRECTORY_CLIENT_SECRET");

    private RealmFile() {
    }

    /**
     * @param admin an admin client of the Keycloak where {@link RealmProvisioner} provisioned the realm
     * @return the realm to import, secrets as placeholders
     */
    public static RealmRepresentation of(Keycloak admin) {
        RealmResource realm = admin.realm(RealmProvisioner.REALM);
        RealmRepresentation rep = realm.partialExport(true, true);
        List<UserRepresentation> serviceAccounts = new ArrayList<>();
        for (ClientRepresentation client : rep.getClients()) {
            String variable = SECRET_VARIABLES.get(client.getClientId());
            if (variable != null) {
                client.setSecret("${" + variable + "}");
            }
            if (Boolean.TRUE.equals(client.isServiceAccountsEnabled())) {
                serviceAccounts.add(serviceAccount(realm, client));
            }
        }
        rep.setUsers(serviceAccounts);
        // the realm's signing keys are made by the Keycloak that imports it (an export masks their private parts)
        if (rep.getComponents() != null) {
            rep.getComponents().remove("org.keycloak.keys.KeyProvider");
        }
        return rep;
    }

    private static UserRepresentation serviceAccount(RealmResource realm, ClientRepresentation client) {
        UserRepresentation stored = realm.clients().get(client.getId()).getServiceAccountUser();
        UserRepresentation account = new UserRepresentation();
        account.setUsername(stored.getUsername());
        account.setEnabled(true);
        account.setServiceAccountClientId(client.getClientId());
        account.setGroups(realm.users().get(stored.getId()).groups().stream().map(GroupRepresentation::getPath).toList());
        MappingsRepresentation roles = realm.users().get(stored.getId()).roles().getAll();
        if (roles.getRealmMappings() != null) {
            account.setRealmRoles(roles.getRealmMappings().stream().map(RoleRepresentation::getName).toList());
        }
        if (roles.getClientMappings() != null) {
            Map<String, List<String>> byClient = new LinkedHashMap<>();
            for (Map.Entry<String, ClientMappingsRepresentation> e : roles.getClientMappings().entrySet()) {
                byClient.put(e.getKey(), e.getValue().getMappings().stream().map(RoleRepresentation::getName).toList());
            }
            account.setClientRoles(byClient);
        }
        return account;
    }
}
