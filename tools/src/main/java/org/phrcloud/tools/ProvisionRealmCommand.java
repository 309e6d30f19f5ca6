package org.phrcloud.tools;

import org.phrcloud.identity.keycloak.ProvisionedRealm;
import org.phrcloud.identity.keycloak.RealmProvisioner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.phrcloud.identity.PhrRole;

/**
 * Command line for {@link RealmProvisioner}:
 * <pre>
 *   ProvisionRealmCommand --keycloak-url URL --portal-url URL --state FILE [--otp-code-reusable] [--extra-user NAME=ROLE ...]
 * </pre>
 * {@code --extra-user} adds an account beyond the one demo user per role (ROLE is a {@link PhrRole} name such as
 * {@code patient}); the test platform uses it for a second patient.
 * The master-realm admin credentials come from the environment ({@code KC_BOOTSTRAP_ADMIN_USERNAME},
 * {@code KC_BOOTSTRAP_ADMIN_PASSWORD}: the same variables Keycloak was first started with). The state
 * FILE is read if present (its secrets are kept) and rewritten as JSON ({@link ProvisionedRealm}),
 * readable by its owner only. Exit status 0 on success, 1 on failure, 2 on bad arguments.
 */
public final class ProvisionRealmCommand {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ProvisionRealmCommand() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = new HashMap<>();
        Map<String, PhrRole> extraUsers = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--otp-code-reusable")) {
                opts.put("otp-code-reusable", "true");
            } else if (args[i].equals("--extra-user") && i + 1 < args.length) {
                String[] user = args[++i].split("=", 2);
                PhrRole role = user.length == 2 ? PhrRole.fromRoleName(user[1]).orElse(null) : null;
                if (role == null || user[0].isBlank()) {
                    usage();
                }
                extraUsers.put(user[0], role);
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                opts.put(args[i].substring(2), args[++i]);
            } else {
                usage();
            }
        }
        if (!opts.keySet().containsAll(java.util.List.of("keycloak-url", "portal-url", "state"))) {
            usage();
        }
        String adminUser = requireEnv("KC_BOOTSTRAP_ADMIN_USERNAME");
        String adminPassword = requireEnv("KC_BOOTSTRAP_ADMIN_PASSWORD");
        Path state = Path.of(opts.get("state"));
        ProvisionedRealm previous = Files.exists(state) ? JSON.readValue(state.toFile(), ProvisionedRealm.class) : null;
        ProvisionedRealm result = provision(opts.get("keycloak-url"), adminUser, adminPassword,
                opts.get("portal-url"), opts.containsKey("otp-code-reusable"), previous, extraUsers);
        write(state, result);
        System.out.println("provisioned realm " + result.realm() + " with " + result.users().size() + " demo users");
    }

    /** Provisions with a fresh admin client (closed afterwards). */
    public static ProvisionedRealm provision(String keycloakUrl, String adminUser, String adminPassword,
                                             String portalUrl, boolean otpCodeReusable, ProvisionedRealm previous,
                                             Map<String, PhrRole> extraUsers) {
        try (Keycloak admin = KeycloakBuilder.builder().serverUrl(keycloakUrl).realm("master").clientId("admin-cli")
                .username(adminUser).password(adminPassword).build()) {
            return new RealmProvisioner(admin, keycloakUrl).provision(portalUrl, otpCodeReusable, previous, extraUsers);
        }
    }

    /** Writes the state file with owner-only permissions (it holds passwords and TOTP secrets). */
    public static void write(Path state, ProvisionedRealm realm) throws IOException {
        Files.createDirectories(state.toAbsolutePath().getParent());
        Path tmp = state.resolveSibling(state.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        JSON.writeValue(tmp.toFile(), realm);
        Files.move(tmp, state, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String requireEnv(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            System.err.println("PHR-IDENTITY-0012: environment variable " + name + " is not set");
            System.exit(2);
        }
        return v;
    }

    private static void usage() {
        System.err.println("usage: ProvisionRealmCommand --keycloak-url URL --portal-url URL --state FILE [--otp-code-reusable] [--extra-user NAME=ROLE ...]");
        System.exit(2);
    }
}
