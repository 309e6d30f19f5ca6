package org.phrcloud.tools;

import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.util.JsonSerialization;
import org.phrcloud.identity.keycloak.RealmFile;
import org.phrcloud.identity.keycloak.RealmProvisioner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the {@code phr} realm as a file for Keycloak in production ({@link RealmFile}):
 * <pre>
 *   RealmFileCommand --keycloak-url URL --portal-url URL --out realm-phr.json
 * </pre>
 * It provisions the realm on the Keycloak at URL with the same code as {@code ./phr up} ({@link RealmProvisioner},
 * redirect URIs for the portal at {@code --portal-url}), then exports it: any Keycloak will do, e.g. a throwaway one in
 * dev mode. The master-realm admin credentials come from {@code KC_BOOTSTRAP_ADMIN_USERNAME} and
 * {@code KC_BOOTSTRAP_ADMIN_PASSWORD}. The file holds no secret: at import Keycloak reads the clients' secrets from
 * {@code PHR_BACKEND_CLIENT_SECRET}, {@code PHR_PORTAL_CLIENT_SECRET} and {@code PHR_DIRECTORY_CLIENT_SECRET}.
 * Exit status 0 written, 2 bad arguments.
 */
public final class RealmFileCommand {
    private RealmFileCommand() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 6 || !args[0].equals("--keycloak-url") || !args[2].equals("--portal-url") || !args[4].equals("--out")) {
            System.err.println("usage: RealmFileCommand --keycloak-url URL --portal-url URL --out FILE");
            System.exit(2);
        }
        try (Keycloak admin = KeycloakBuilder.builder().serverUrl(args[1]).realm("master").clientId("admin-cli")
                .username(System.getenv("KC_BOOTSTRAP_ADMIN_USERNAME")).password(System.getenv("KC_BOOTSTRAP_ADMIN_PASSWORD")).build()) {
            new RealmProvisioner(admin, args[1]).provision(args[3], false, null, Map.of());
            write(admin, Path.of(args[5]));
        }
        System.out.println("wrote the realm file " + args[5]);
    }

    /** Writes the realm file of the realm provisioned on {@code admin}'s Keycloak. */
    public static void write(Keycloak admin, Path file) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, JsonSerialization.writeValueAsPrettyString(RealmFile.of(admin)));
    }
}
