package org.phrcloud.identity.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.token.TokenClient;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The accounts and institutions of the realm, changed from inside the application server through the Keycloak
 * Admin REST API (https://www.keycloak.org/docs-api/latest/rest-api/) with the {@code phr-directory} client's
 * service account (client credentials; realm-management roles manage-users, view-users, query-users,
 * query-groups, view-realm, and manage-clients, view-clients, query-clients for the backend-services clients). {@code keycloak-admin-client} is used where it can run (provisioning, tests); in
 * the server its RESTEasy client would clash with Payara's Jersey, so these few calls go over
 * {@link HttpClient}.
 *
 * <p>Errors: {@link DirectoryException}: PHR-IDENTITY-0502 and 0506 for what exists (409), 0501 and 0503 to 0505 for
 * bad input (400), 0507 to 0509 when Keycloak fails (502).
 */
public final class KeycloakDirectory {
    /** Roles an admin may give to new accounts (patients register through their institution). */
    public static final Set<PhrRole> ASSIGNABLE = EnumSet.of(PhrRole.PRACTITIONER, PhrRole.FAMILY_DOCTOR,
            PhrRole.PHARMACIST, PhrRole.LAB, PhrRole.RESEARCHER);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TokenClient tokens;
    private final String adminBase;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param issuer       the realm URL, e.g. {@code http://127.0.0.1:8180/realms/phr}
     * @param clientId     the directory client, {@code phr-directory}
     * @param clientSecret its secret (from configuration)
     */
    public KeycloakDirectory(String issuer, String clientId, String clientSecret) {
        this.tokens = new TokenClient(issuer, clientId, clientSecret);
        String base = issuer.replaceAll("/+$", "");
        int realms = base.lastIndexOf("/realms/");
        this.adminBase = base.substring(0, realms) + "/admin" + base.substring(realms);
    }

    /** A new account: who, and the one-time password to hand over (changed and an authenticator set at first login). */
    public record CreatedAccount(String userId, String username, String temporaryPassword, List<String> requiredActions) {
    }

    /**
     * Creates {@code /institutions/<id>} with the attribute {@code name}.
     *
     * @throws DirectoryException 409 if it exists, 400 for a malformed id, 502 if Keycloak fails
     */
    public void createInstitution(String id, String name) {
        if (id == null || !id.matches("[a-z0-9][a-z0-9-]{1,47}") || name == null || name.isBlank()) {
            throw new DirectoryException("PHR-IDENTITY-0501: an institution needs an id (2 to 48 lowercase letters, digits, hyphens) and a name");
        }
        String parent = groupId("/" + RealmProvisioner.INSTITUTIONS_GROUP);
        if (parent == null) {
            send("POST", "/groups", Map.of("name", RealmProvisioner.INSTITUTIONS_GROUP), 201);
            parent = groupId("/" + RealmProvisioner.INSTITUTIONS_GROUP);
        }
        if (groupId("/" + RealmProvisioner.INSTITUTIONS_GROUP + "/" + id) != null) {
            throw new DirectoryException("PHR-IDENTITY-0502: institution " + id + " exists");
        }
        send("POST", "/groups/" + parent + "/children", Map.of("name", id, "attributes", Map.of("name", List.of(name))), 201);
    }

    /**
     * An institution of the realm.
     *
     * @param id      its id (the group's name under {@code /institutions})
     * @param name    its display name (the group attribute {@code name}); the id when none
     * @param members usernames of its accounts, sorted
     */
    public record Institution(String id, String name, List<String> members) {
    }

    /**
     * Every institution ({@code /institutions/*} groups) with its members, sorted by id; empty before the first.
     *
     * @throws DirectoryException 502 if Keycloak fails
     */
    public List<Institution> institutions() {
        List<Institution> out = new java.util.ArrayList<>();
        for (JsonNode g : institutionGroups()) {
            List<String> members = new java.util.ArrayList<>();
            json(send("GET", "/groups/" + g.path("id").asText() + "/members?briefRepresentation=true&first=0&max=" + LIST_MAX, null, 200))
                    .forEach(u -> members.add(u.path("username").asText()));
            members.sort(null);
            String id = g.path("name").asText();
            out.add(new Institution(id, g.path("attributes").path("name").path(0).asText(id), members));
        }
        out.sort(java.util.Comparator.comparing(Institution::id));
        return out;
    }

    /**
     * An institution as everyone in the network may know it.
     *
     * @param id   its id, as tokens, audit events and chain blocks name it
     * @param name its display name; the id when none was given
     */
    public record InstitutionName(String id, String name) {
    }

    /**
     * Every institution's id and display name, sorted by id, without members (one Keycloak call); empty before the first.
     *
     * @throws DirectoryException 502 if Keycloak fails
     */
    public List<InstitutionName> institutionNames() {
        List<InstitutionName> out = new java.util.ArrayList<>();
        for (JsonNode g : institutionGroups()) {
            String id = g.path("name").asText();
            out.add(new InstitutionName(id, g.path("attributes").path("name").path(0).asText(id)));
        }
        out.sort(java.util.Comparator.comparing(InstitutionName::id));
        return out;
    }

    /** The {@code /institutions/*} groups with their attributes (none when the parent group is missing). */
    private List<JsonNode> institutionGroups() {
        String parent = groupId("/" + RealmProvisioner.INSTITUTIONS_GROUP);
        List<JsonNode> groups = new java.util.ArrayList<>();
        if (parent != null) {
            json(send("GET", "/groups/" + parent + "/children?briefRepresentation=false&first=0&max=" + LIST_MAX, null, 200)).forEach(groups::add);
        }
        return groups;
    }

    /**
     * A staff account (care giver, researcher or admin): no password, no credentials.
     *
     * @param role            its PHR role name
     * @param institutions    the institutions it belongs to (care givers: one)
     * @param requiredActions what it must still do at its next login (e.g. {@code CONFIGURE_TOTP}); empty once set up
     */
    public record Account(String userId, String username, String firstName, String lastName, String email, boolean enabled,
                          String role, List<String> institutions, List<String> requiredActions) {
    }

    /**
     * The staff accounts: every account holding one of the roles an admin gives ({@link #ASSIGNABLE}) or the admin role,
     * at most {@value #LIST_MAX} per role, sorted by username. Patients' logins are not listed (they are reached
     * through the master patient index).
     *
     * @throws DirectoryException 502 if Keycloak fails
     */
    public List<Account> accounts() {
        Map<String, List<String>> institutionsOf = new java.util.HashMap<>();
        for (Institution i : institutions()) {
            i.members().forEach(m -> institutionsOf.computeIfAbsent(m, k -> new java.util.ArrayList<>()).add(i.id()));
        }
        List<PhrRole> roles = new java.util.ArrayList<>(ASSIGNABLE);
        roles.add(PhrRole.ADMIN);
        List<Account> out = new java.util.ArrayList<>();
        for (PhrRole role : roles) {
            for (JsonNode u : json(send("GET", "/roles/" + role.roleName() + "/users?briefRepresentation=false&first=0&max=" + LIST_MAX,
                    null, 200, 404))) {
                List<String> actions = new java.util.ArrayList<>();
                u.path("requiredActions").forEach(a -> actions.add(a.asText()));
                String username = u.path("username").asText();
                out.add(new Account(u.path("id").asText(), username, text(u, "firstName"), text(u, "lastName"), text(u, "email"),
                        u.path("enabled").asBoolean(true), role.roleName(), institutionsOf.getOrDefault(username, List.of()), actions));
            }
        }
        out.sort(java.util.Comparator.comparing(Account::username));
        return out;
    }

    /** Most entries one list call returns (per role, per institution). */
    public static final int LIST_MAX = 500;

    private static String text(JsonNode user, String field) {
        return user.hasNonNull(field) ? user.get(field).asText() : null;
    }

    /** @return whether {@code /institutions/<id>} exists */
    public boolean institutionExists(String id) {
        return groupId("/" + RealmProvisioner.INSTITUTIONS_GROUP + "/" + id) != null;
    }

    /**
     * Creates an account with one role; care givers join their institution. The account must change its password
     * and set up TOTP at first login (required actions {@code UPDATE_PASSWORD}, {@code CONFIGURE_TOTP}).
     *
     * @throws DirectoryException 400 for a role that cannot be given or a missing or unknown institution, 409 if
     *                            the username or email is taken, 502 if Keycloak fails
     */
    public CreatedAccount createAccount(String username, String email, String firstName, String lastName, PhrRole role,
                                        String institution) {
        if (username == null || !username.matches("[a-z0-9][a-z0-9._-]{2,63}")) {
            throw new DirectoryException("PHR-IDENTITY-0503: a username is 3 to 64 lowercase letters, digits, dots, hyphens or underscores");
        }
        if (role == null || !ASSIGNABLE.contains(role)) {
            throw new DirectoryException("PHR-IDENTITY-0504: accounts can be made for " + ASSIGNABLE);
        }
        String groupId = null;
        if (PhrRole.CARE_GIVERS.contains(role)) {
            groupId = institution == null ? null : groupId("/" + RealmProvisioner.INSTITUTIONS_GROUP + "/" + institution);
            if (groupId == null) {
                throw new DirectoryException("PHR-IDENTITY-0505: a " + role.roleName() + " needs an existing institution");
            }
        }
        String password = temporaryPassword();
        List<String> actions = List.of("CONFIGURE_TOTP", "UPDATE_PASSWORD");
        Map<String, Object> user = new java.util.LinkedHashMap<>();
        user.put("username", username);
        user.put("enabled", true);
        if (email != null) {
            user.put("email", email);
        }
        if (firstName != null) {
            user.put("firstName", firstName);
        }
        if (lastName != null) {
            user.put("lastName", lastName);
        }
        user.put("requiredActions", actions);
        user.put("credentials", List.of(Map.of("type", "password", "value", password, "temporary", true)));
        HttpResponse<String> created = send("POST", "/users", user, 201, 409);
        if (created.statusCode() == 409) {
            throw new DirectoryException("PHR-IDENTITY-0506: the username or email is taken");
        }
        String location = created.headers().firstValue("Location").orElseThrow();
        String userId = location.substring(location.lastIndexOf('/') + 1);
        JsonNode roleRep = json(send("GET", "/roles/" + role.roleName(), null, 200));
        send("POST", "/users/" + userId + "/role-mappings/realm", List.of(roleRep), 204);
        if (groupId != null) {
            send("PUT", "/users/" + userId + "/groups/" + groupId, null, 204);
        }
        return new CreatedAccount(userId, username, password, actions);
    }

    /**
     * A registered backend-services client (SMART Backend Services).
     *
     * @param clientId    its OAuth client id ({@code iss} and {@code sub} of its client assertions)
     * @param institution the institution whose system it is (its service account's group)
     * @param scopes      the SMART system scopes it may ask for
     */
    public record SystemClient(String clientId, String institution, List<String> scopes) {
    }

    /**
     * Registers an institution's system as a backend-services client (HL7 SMART App Launch 2, "SMART Backend Services";
     * Keycloak client authenticator "Signed JWT"): confidential, no secret, it authenticates with client assertions
     * ({@code private_key_jwt}, RFC 7523 section 2.2; ES384 or RS384 as SMART asks, or another algorithm of its keys)
     * signed by a key of its JWK Set (RFC 7517), given here or published at an https URL; client credentials grant only;
     * the API's audience and claims; the {@code system/*} scopes as optional scopes; its service account joins the
     * institution, so its tokens act as that institution's system ({@code Party.INSTITUTION_SYSTEM}).
     *
     * @param jwks    the public JWK Set as JSON, or null when {@code jwksUri} is given
     * @param jwksUri an https URL of the JWK Set, or null
     * @throws DirectoryException 400 (0510 client id, 0511 institution, 0512 keys), 409 (0513) if the client id is
     *                            taken, 502 if Keycloak fails
     */
    public SystemClient createSystemClient(String clientId, String name, String institution, String jwks, String jwksUri) {
        if (clientId == null || !clientId.matches("[a-z0-9][a-z0-9._-]{2,63}")) {
            throw new DirectoryException("PHR-IDENTITY-0510: a client id is 3 to 64 lowercase letters, digits, dots, hyphens or underscores");
        }
        String groupId = institution == null ? null : groupId("/" + RealmProvisioner.INSTITUTIONS_GROUP + "/" + institution);
        if (groupId == null) {
            throw new DirectoryException("PHR-IDENTITY-0511: a system belongs to an existing institution");
        }
        Map<String, String> attributes = new java.util.LinkedHashMap<>();
        if ((jwks == null) == (jwksUri == null)) {
            throw new DirectoryException("PHR-IDENTITY-0512: give either jwks (a JWK Set) or jwksUri (an https URL)");
        } else if (jwks != null) {
            attributes.put("use.jwks.string", "true");
            attributes.put("jwks.string", publicKeySet(jwks));
        } else {
            if (!jwksUri.startsWith("https://")) {
                throw new DirectoryException("PHR-IDENTITY-0512: jwksUri must be an https URL");
            }
            attributes.put("use.jwks.url", "true");
            attributes.put("jwks.url", jwksUri);
        }
        Map<String, Object> client = new java.util.LinkedHashMap<>();
        client.put("clientId", clientId);
        client.put("name", name == null || name.isBlank() ? clientId : name);
        client.put("protocol", "openid-connect");
        client.put("publicClient", false);
        client.put("clientAuthenticatorType", "client-jwt");
        client.put("serviceAccountsEnabled", true);
        client.put("standardFlowEnabled", false);
        client.put("implicitFlowEnabled", false);
        client.put("directAccessGrantsEnabled", false);
        client.put("attributes", attributes);
        client.put("protocolMappers", RealmProvisioner.apiMapperDefinitions());
        HttpResponse<String> created = send("POST", "/clients", client, 201, 409);
        if (created.statusCode() == 409) {
            throw new DirectoryException("PHR-IDENTITY-0513: the client id " + clientId + " is taken");
        }
        String location = created.headers().firstValue("Location").orElseThrow();
        String id = location.substring(location.lastIndexOf('/') + 1);
        List<String> scopes = new java.util.ArrayList<>();
        for (JsonNode scope : json(send("GET", "/client-scopes", null, 200))) {
            String scopeName = scope.path("name").asText();
            if (scopeName.startsWith("system/") && RealmProvisioner.SMART_SCOPES.contains(scopeName)) {
                send("PUT", "/clients/" + id + "/optional-client-scopes/" + scope.path("id").asText(), null, 204);
                scopes.add(scopeName);
            }
        }
        scopes.sort(null);
        String serviceAccount = json(send("GET", "/clients/" + id + "/service-account-user", null, 200)).path("id").asText();
        send("PUT", "/users/" + serviceAccount + "/groups/" + groupId, null, 204);
        return new SystemClient(clientId, institution, scopes);
    }

    /**
     * A JWK Set of public signing keys only, as JSON (RFC 7517 section 5).
     *
     * Keys without {@code use} are stored as {@code sig}.
     *
     * @throws DirectoryException 400 (0512) for anything else: unparsable, empty, a private key, a key without
     *                            {@code kid}, a key that is not EC P-256/P-384/P-521 or RSA of 2048 bits or more
     */
    private static String publicKeySet(String jwks) {
        com.nimbusds.jose.jwk.JWKSet set;
        try {
            set = com.nimbusds.jose.jwk.JWKSet.parse(jwks);
        } catch (java.text.ParseException e) {
            throw new DirectoryException("PHR-IDENTITY-0512: jwks is not a JWK Set");
        }
        if (set.getKeys().isEmpty()) {
            throw new DirectoryException("PHR-IDENTITY-0512: jwks has no key");
        }
        List<com.nimbusds.jose.jwk.JWK> keys = new java.util.ArrayList<>();
        for (com.nimbusds.jose.jwk.JWK key : set.getKeys()) {
            if (key.getKeyID() == null || key.getKeyID().isBlank()) {
                throw new DirectoryException("PHR-IDENTITY-0512: every key needs a kid (the client assertion's header names it)");
            }
            if (key.isPrivate()) {
                throw new DirectoryException("PHR-IDENTITY-0512: jwks holds a private key; send public keys only");
            }
            boolean ec = key instanceof com.nimbusds.jose.jwk.ECKey e && java.util.Set.of(com.nimbusds.jose.jwk.Curve.P_256,
                    com.nimbusds.jose.jwk.Curve.P_384, com.nimbusds.jose.jwk.Curve.P_521).contains(e.getCurve());
            boolean rsa = key instanceof com.nimbusds.jose.jwk.RSAKey r && r.size() >= 2048;
            if (!ec && !rsa) {
                throw new DirectoryException("PHR-IDENTITY-0512: a key is neither EC P-256/P-384/P-521 nor RSA of 2048 bits or more");
            }
            if (key.getKeyUse() != null && key.getKeyUse() != com.nimbusds.jose.jwk.KeyUse.SIGNATURE) {
                throw new DirectoryException("PHR-IDENTITY-0512: a key's use is not sig");
            }
            // Keycloak loads only keys marked for signing ("use": "sig"); SMART's JWK Sets often leave use out
            keys.add(key instanceof com.nimbusds.jose.jwk.ECKey e ? new com.nimbusds.jose.jwk.ECKey.Builder(e)
                    .keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE).build()
                    : new com.nimbusds.jose.jwk.RSAKey.Builder((com.nimbusds.jose.jwk.RSAKey) key).keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE).build());
        }
        return new com.nimbusds.jose.jwk.JWKSet(keys).toString(true);
    }

    /**
     * Sets a patient login's SMART launch context: the user attributes {@link RealmProvisioner#PATIENT_ATTRIBUTE} (the FHIR
     * Patient id) and {@link RealmProvisioner#FHIR_USER_ATTRIBUTE} ({@code Patient/<id>}), which the client scopes
     * {@code launch/patient} and {@code fhirUser} put into the tokens (SMART App Launch 2). The whole user representation
     * is read and written back, so nothing else of the account changes.
     *
     * @param userId    the Keycloak user id of the login
     * @param patientId the FHIR Patient id (logical id, no type)
     * @throws DirectoryException 502 if Keycloak fails or does not know the user
     */
    public void setLaunchContext(String userId, String patientId) {
        JsonNode user = json(send("GET", "/users/" + userId, null, 200));
        com.fasterxml.jackson.databind.node.ObjectNode changed = ((com.fasterxml.jackson.databind.node.ObjectNode) user).deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode attributes = changed.with("attributes");
        attributes.putArray(RealmProvisioner.PATIENT_ATTRIBUTE).add(patientId);
        attributes.putArray(RealmProvisioner.FHIR_USER_ATTRIBUTE).add("Patient/" + patientId);
        send("PUT", "/users/" + userId, changed, 204);
    }

    private String groupId(String path) {
        HttpResponse<String> r = send("GET", "/group-by-path" + encodePath(path), null, 200, 404);
        return r.statusCode() == 404 ? null : json(r).path("id").asText();
    }

    private static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                out.append('/').append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
            }
        }
        return out.toString();
    }

    private HttpResponse<String> send(String method, String path, Object body, int... expected) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(adminBase + path)).timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + tokens.clientCredentials())
                    .header("Accept", "application/json");
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            for (int status : expected) {
                if (r.statusCode() == status) {
                    return r;
                }
            }
            throw new DirectoryException("PHR-IDENTITY-0507: Keycloak answered " + r.statusCode() + " to " + method + " "
                    + path.replaceAll("/users/[^/]+", "/users/{id}"));
        } catch (IOException e) {
            throw new DirectoryException("PHR-IDENTITY-0508: Keycloak is unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DirectoryException("PHR-IDENTITY-0508: Keycloak is unreachable");
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new DirectoryException("PHR-IDENTITY-0509: Keycloak answered something other than JSON");
        }
    }

    private static String temporaryPassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder s = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** A directory change that failed, with a {@code PHR-IDENTITY-05nn} message (the error catalog gives its status). */
    public static final class DirectoryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public DirectoryException(String message) {
            super(message);
        }
    }
}
