package org.phrcloud.identity.keycloak;

import jakarta.ws.rs.core.Response;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.GroupRepresentation;
import org.keycloak.representations.idm.RequiredActionProviderRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.totp.Totp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Brings a Keycloak server to the state PHR Cloud needs, idempotently: running it again changes nothing
 * that is already right and never duplicates a role, client or user.
 *
 * <ul>
 *   <li>realm {@code phr} with the OTP policy of {@link Totp} (HmacSHA1, 6 digits, 30 s);</li>
 *   <li>the realm roles of {@link PhrRole};</li>
 *   <li>the browser login with step-up ({@link StepUpBrowserFlow}): password gives {@code acr=1}, OTP {@code acr=2};</li>
 *   <li>{@code phr-backend}: confidential, service account, direct grants (scripts, tests); the audience of the APIs;</li>
 *   <li>{@code phr-portal}: public, authorization code with PKCE S256 only;</li>
 *   <li>both clients put {@code phr-backend} into {@code aud}, the realm roles into {@code groups} and the
 *       institution groups of the user into {@code institutions} (full paths, {@code /institutions/<id>});</li>
 *   <li>institutions as groups under {@code /institutions}: the demo institutions of {@link #DEMO_INSTITUTIONS};</li>
 *   <li>TOTP for every user: the required action {@code CONFIGURE_TOTP} is on by default, so a new user sets up
 *       an authenticator at first login;</li>
 *   <li>one demo user per role, with a password and a TOTP credential; the care givers and the
 *       {@code phr-backend} service account belong to the first demo institution.</li>
 * </ul>
 * Secrets come from the previous state when given (so a second run keeps every password), otherwise
 * they are generated. A demo user that exists but whose secrets are unknown is re-created.
 */
public final class RealmProvisioner {
    public static final String REALM = "phr";
    public static final String BACKEND_CLIENT = "phr-backend";
    public static final String PORTAL_CLIENT = "phr-portal";
    /**
     * The portal web application's own client: confidential (the server keeps the secret), authorization code flow,
     * used by the Jakarta Security OpenID Connect mechanism of admin-ui; {@link #PORTAL_CLIENT} stays the public client
     * of command-line and test logins.
     */
    public static final String PORTAL_WEB_CLIENT = "phr-portal-web";
    /**
     * An example SMART App Launch client (HL7 SMART App Launch 2): public, authorization code with PKCE S256, redirect
     * URIs under the portal's base, and the {@link #SMART_SCOPES} as optional client scopes; an operator registers
     * other apps the same way.
     */
    public static final String SMART_APP_CLIENT = "phr-smart-app";
    /**
     * The SMART resource scopes Keycloak issues here (one client scope of each name; SMART App Launch 2 section
     * "Scopes for requesting FHIR resources"): {@code patient/} and {@code user/} for every type and {@code *} as
     * {@code .rs}, {@code .cruds} and the v1 {@code .read}; {@code system/*} likewise.
     */
    public static final List<String> SMART_SCOPES = smartScopes();

    private static List<String> smartScopes() {
        List<String> scopes = new ArrayList<>();
        for (String context : List.of("patient", "user")) {
            for (String type : List.of("*", "Patient", "Observation", "Condition", "Encounter", "MedicationRequest", "DocumentReference")) {
                for (String permissions : List.of("rs", "cruds", "read")) {
                    scopes.add(context + "/" + type + "." + permissions);
                }
            }
        }
        for (String permissions : List.of("rs", "cruds", "read")) {
            scopes.add("system/*." + permissions);
        }
        return List.copyOf(scopes);
    }
    /**
     * The user attribute that holds the FHIR id of the Patient a patient's login is linked to (set by
     * {@link KeycloakDirectory#setLaunchContext}); the client scope {@value #LAUNCH_PATIENT} puts it into the access
     * token as the claim {@code patient} (SMART App Launch 2, "Launch context arrives with your access_token").
     */
    public static final String PATIENT_ATTRIBUTE = "fhirPatientId";
    /**
     * The user attribute that holds the login's FHIR resource ({@code Patient/<id>}); the client scope
     * {@value #FHIR_USER} puts it into the ID token as the claim {@code fhirUser} (SMART App Launch 2, "Scopes for
     * requesting identity data").
     */
    public static final String FHIR_USER_ATTRIBUTE = "fhirUser";
    /** The SMART scope asking for the patient in context at a standalone launch. */
    public static final String LAUNCH_PATIENT = "launch/patient";
    /** The SMART scope asking for the {@code fhirUser} claim (with {@code openid}). */
    public static final String FHIR_USER = "fhirUser";

    /** The server's own client for account administration (admin API), see {@link KeycloakDirectory}. */
    public static final String DIRECTORY_CLIENT = "phr-directory";
    /** Group under which every institution is a subgroup named by its id. */
    public static final String INSTITUTIONS_GROUP = "institutions";
    /** Demo institutions (id, name); the first is the home of the demo care givers and of the service account. */
    public static final List<Map.Entry<String, String>> DEMO_INSTITUTIONS = List.of(
            Map.entry("st-mary", "St Mary's Hospital"), Map.entry("north-clinic", "North Clinic"));

    private static final Logger LOG = LoggerFactory.getLogger(RealmProvisioner.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Keycloak admin;
    private final String keycloakUrl;
    private final String realmName;
    private final String homeInstitution;

    /**
     * @param admin       an admin client logged in to the master realm
     * @param keycloakUrl the server's base URL as clients reach it, e.g. {@code http://127.0.0.1:8180}
     */
    public RealmProvisioner(Keycloak admin, String keycloakUrl) {
        this(admin, keycloakUrl, REALM, DEMO_INSTITUTIONS.get(0).getKey());
    }

    /**
     * A realm of another name whose care givers and service account belong to {@code homeInstitution} (one of
     * {@link #DEMO_INSTITUTIONS}): the login of a second deployment on the same Keycloak (federation on one machine).
     */
    public RealmProvisioner(Keycloak admin, String keycloakUrl, String realmName, String homeInstitution) {
        this.admin = admin;
        this.keycloakUrl = keycloakUrl.replaceAll("/+$", "");
        this.realmName = realmName;
        this.homeInstitution = homeInstitution;
    }

    /**
     * @param portalUrl         where the portal runs, e.g. {@code http://127.0.0.1:8080/portal} (redirect URIs)
     * @param otpCodeReusable   allow the same TOTP code twice within its 30 s step: test realms only
     * @param previous          the state of an earlier run, whose secrets are kept; may be null
     */
    public ProvisionedRealm provision(String portalUrl, boolean otpCodeReusable, ProvisionedRealm previous) {
        return provision(portalUrl, otpCodeReusable, previous, Map.of());
    }

    /**
     * As {@link #provision(String, boolean, ProvisionedRealm)}, with more accounts than the one demo user per role
     * (for example a second patient for the consent tests): username to role, made like the demo users (password
     * and TOTP, care givers in the first demo institution).
     */
    public ProvisionedRealm provision(String portalUrl, boolean otpCodeReusable, ProvisionedRealm previous,
                                      Map<String, PhrRole> extraUsers) {
        RealmResource realm = ensureRealm(otpCodeReusable);
        for (PhrRole role : PhrRole.values()) {
            ensureRole(realm, role);
        }
        StepUpBrowserFlow.ensure(realm);
        requireTotpForNewUsers(realm);
        for (Map.Entry<String, String> institution : DEMO_INSTITUTIONS) {
            ensureInstitution(realm, institution.getKey(), institution.getValue());
        }
        String home = groupId(realm, homeInstitution);
        String backendSecret = previous != null ? previous.backendClientSecret() : randomSecret(32);
        ensureClient(realm, backendClient(backendSecret));
        ensureClient(realm, portalClient(portalUrl));
        String portalWebSecret = previous != null && previous.portalWebClientSecret() != null
                ? previous.portalWebClientSecret() : randomSecret(32);
        ensureClient(realm, portalWebClient(portalUrl, portalWebSecret));
        String directorySecret = previous != null && previous.directoryClientSecret() != null
                ? previous.directoryClientSecret() : randomSecret(32);
        ensureClient(realm, directoryClient(directorySecret));
        grantDirectoryRoles(realm);
        declareLaunchContext(realm);
        ensureSmartScopes(realm);
        registerSmartApp(realm, SMART_APP_CLIENT, "Example SMART app", portalUrl);
        String backendId = realm.clients().findByClientId(BACKEND_CLIENT).get(0).getId();
        realm.users().get(realm.clients().get(backendId).getServiceAccountUser().getId()).joinGroup(home);

        Map<String, PhrRole> accounts = new LinkedHashMap<>();
        for (PhrRole role : PhrRole.values()) {
            accounts.put("demo-" + role.roleName(), role);
        }
        accounts.putAll(extraUsers);
        List<DemoUser> users = new ArrayList<>();
        for (Map.Entry<String, PhrRole> account : accounts.entrySet()) {
            String username = account.getKey();
            PhrRole role = account.getValue();
            Optional<DemoUser> known = previous == null ? Optional.empty()
                    : previous.users().stream().filter(u -> u.username().equals(username)).findFirst();
            DemoUser user = known.orElseGet(() -> new DemoUser(username, randomSecret(16), role, Totp.newBase32Secret()));
            String userId = ensureUser(realm, user, known.isPresent());
            if (PhrRole.CARE_GIVERS.contains(role)) {
                realm.users().get(userId).joinGroup(home);
            }
            users.add(user);
        }
        return new ProvisionedRealm(realmName, keycloakUrl + "/realms/" + realmName, BACKEND_CLIENT, backendSecret,
                PORTAL_CLIENT, users, directorySecret, PORTAL_WEB_CLIENT, portalWebSecret);
    }

    private RealmResource ensureRealm(boolean otpCodeReusable) {
        boolean exists = admin.realms().findAll().stream().anyMatch(r -> realmName.equals(r.getRealm()));
        if (!exists) {
            RealmRepresentation created = new RealmRepresentation();
            created.setRealm(realmName);
            created.setEnabled(true);
            admin.realms().create(created);
            LOG.info("created realm {}", realmName);
        }
        RealmResource realm = admin.realm(realmName);
        RealmRepresentation rep = realm.toRepresentation();
        rep.setDisplayName("PHR Cloud");
        rep.setOtpPolicyType("totp");
        rep.setOtpPolicyAlgorithm(Totp.ALGORITHM);
        rep.setOtpPolicyDigits(Totp.DIGITS);
        rep.setOtpPolicyPeriod((int) Totp.PERIOD.toSeconds());
        rep.setOtpPolicyCodeReusable(otpCodeReusable);
        rep.setBruteForceProtected(true);
        rep.setAccessTokenLifespan(300);
        rep.setSsoSessionIdleTimeout(1800);
        realm.update(rep);
        return realm;
    }

    /** Every user who has no authenticator yet must set one up at the next login. */
    private static void requireTotpForNewUsers(RealmResource realm) {
        RequiredActionProviderRepresentation totp = realm.flows().getRequiredAction("CONFIGURE_TOTP");
        if (!totp.isEnabled() || !totp.isDefaultAction()) {
            totp.setEnabled(true);
            totp.setDefaultAction(true);
            realm.flows().updateRequiredAction("CONFIGURE_TOTP", totp);
        }
    }

    /**
     * Creates the group {@code /institutions/<id>} (attribute {@code name}) if it does not exist.
     *
     * @return the group's Keycloak id
     */
    public static String ensureInstitution(RealmResource realm, String id, String name) {
        GroupRepresentation parent = realm.groups().groups(INSTITUTIONS_GROUP, true, 0, 10, true).stream()
                .filter(g -> g.getName().equals(INSTITUTIONS_GROUP)).findFirst().orElse(null);
        if (parent == null) {
            GroupRepresentation g = new GroupRepresentation();
            g.setName(INSTITUTIONS_GROUP);
            try (Response r = realm.groups().add(g)) {
                expectCreated(r, "group " + INSTITUTIONS_GROUP);
            }
            parent = realm.getGroupByPath("/" + INSTITUTIONS_GROUP);
        }
        try {
            return realm.getGroupByPath("/" + INSTITUTIONS_GROUP + "/" + id).getId();
        } catch (jakarta.ws.rs.NotFoundException absent) {
            GroupRepresentation g = new GroupRepresentation();
            g.setName(id);
            g.setAttributes(Map.of("name", List.of(name)));
            try (Response r = realm.groups().group(parent.getId()).subGroup(g)) {
                expectCreated(r, "institution " + id);
            }
            return groupId(realm, id);
        }
    }

    private static String groupId(RealmResource realm, String institution) {
        return realm.getGroupByPath("/" + INSTITUTIONS_GROUP + "/" + institution).getId();
    }

    private static void ensureRole(RealmResource realm, PhrRole role) {
        boolean exists = realm.roles().list().stream().anyMatch(r -> r.getName().equals(role.roleName()));
        if (!exists) {
            realm.roles().create(new RoleRepresentation(role.roleName(), role.description(), false));
        }
    }

    private static ClientRepresentation backendClient(String secret) {
        ClientRepresentation c = new ClientRepresentation();
        c.setClientId(BACKEND_CLIENT);
        c.setName("PHR Cloud APIs and institution systems");
        c.setProtocol("openid-connect");
        c.setPublicClient(false);
        c.setSecret(secret);
        c.setServiceAccountsEnabled(true);
        c.setDirectAccessGrantsEnabled(true);
        c.setStandardFlowEnabled(false);
        c.setProtocolMappers(apiMappers());
        return c;
    }

    /** Confidential, service account only: the server creates institutions and accounts with it. */
    private static ClientRepresentation directoryClient(String secret) {
        ClientRepresentation c = new ClientRepresentation();
        c.setClientId(DIRECTORY_CLIENT);
        c.setName("PHR Cloud account administration (server only)");
        c.setProtocol("openid-connect");
        c.setPublicClient(false);
        c.setSecret(secret);
        c.setServiceAccountsEnabled(true);
        c.setDirectAccessGrantsEnabled(false);
        c.setStandardFlowEnabled(false);
        c.setProtocolMappers(List.of());
        return c;
    }

    private static void grantDirectoryRoles(RealmResource realm) {
        String directoryId = realm.clients().findByClientId(DIRECTORY_CLIENT).get(0).getId();
        String serviceUser = realm.clients().get(directoryId).getServiceAccountUser().getId();
        String managementId = realm.clients().findByClientId("realm-management").get(0).getId();
        List<RoleRepresentation> roles = new ArrayList<>();
        // manage-clients: registering institution systems as backend-services clients (createSystemClient)
        for (String name : List.of("manage-users", "view-users", "query-users", "query-groups", "view-realm", "manage-clients",
                "view-clients", "query-clients")) {
            roles.add(realm.clients().get(managementId).roles().get(name).toRepresentation());
        }
        realm.users().get(serviceUser).roles().clientLevel(managementId).add(roles);
    }

    private static ClientRepresentation portalClient(String portalUrl) {
        ClientRepresentation c = publicClient(PORTAL_CLIENT, "PHR Cloud portal", portalUrl);
        String base = portalUrl.replaceAll("/+$", "");
        c.setAttributes(Map.of("pkce.code.challenge.method", "S256", "post.logout.redirect.uris", base + "/*"));
        return c;
    }

    /**
     * Registers (or brings up to date) a SMART app as a public client (SMART App Launch 2, "client-public"):
     * authorization code with PKCE S256 only, password and TOTP ({@code acr=2}) unless the app asks for
     * {@code acr_values=1}, redirect URIs under {@code redirectBase}, CORS for its origin, the API's
     * audience and claims, and every SMART scope and launch context scope as optional client scopes. Idempotent; what
     * README "SMART apps" tells an operator to do in the admin console, as code.
     *
     * @param redirectBase where the app runs, e.g. {@code https://app.example.org/smart} (redirect URIs {@code <base>/*})
     */
    public static void registerSmartApp(RealmResource realm, String clientId, String name, String redirectBase) {
        ClientRepresentation app = publicClient(clientId, name, redirectBase);
        // a health app signs the patient in with both factors unless it asks for less (acr_values)
        app.setAttributes(Map.of("pkce.code.challenge.method", "S256", "default.acr.values", "2"));
        ensureClient(realm, app);
        offerSmartScopes(realm, clientId);
    }

    /**
     * A public client: authorization code with PKCE S256 only (RFC 7636), redirect URIs under the portal's base, the
     * API's audience and claims ({@link #apiMappers}).
     */
    private static ClientRepresentation publicClient(String clientId, String name, String portalUrl) {
        String base = portalUrl.replaceAll("/+$", "");
        ClientRepresentation c = new ClientRepresentation();
        c.setClientId(clientId);
        c.setName(name);
        c.setProtocol("openid-connect");
        c.setPublicClient(true);
        c.setStandardFlowEnabled(true);
        c.setDirectAccessGrantsEnabled(false);
        c.setRedirectUris(List.of(base + "/*"));
        c.setWebOrigins(List.of("+"));
        c.setAttributes(Map.of("pkce.code.challenge.method", "S256"));
        c.setProtocolMappers(apiMappers());
        return c;
    }

    /**
     * Creates each SMART client scope that is missing, in the token's {@code scope} and without a consent screen: every
     * {@link #SMART_SCOPES} name, and the launch context scopes {@value #LAUNCH_PATIENT} (user attribute mapper to the
     * access token's {@code patient}) and {@value #FHIR_USER} (to the ID token's and access token's {@code fhirUser}).
     */
    private static void ensureSmartScopes(RealmResource realm) {
        Map<String, List<ProtocolMapperRepresentation>> wanted = new LinkedHashMap<>();
        SMART_SCOPES.forEach(name -> wanted.put(name, List.of()));
        wanted.put(LAUNCH_PATIENT, List.of(attributeMapper("smart-patient", PATIENT_ATTRIBUTE, "patient", false)));
        wanted.put(FHIR_USER, List.of(attributeMapper("smart-fhir-user", FHIR_USER_ATTRIBUTE, "fhirUser", true)));
        java.util.Set<String> present = new java.util.HashSet<>();
        realm.clientScopes().findAll().forEach(s -> present.add(s.getName()));
        for (Map.Entry<String, List<ProtocolMapperRepresentation>> scope : wanted.entrySet()) {
            if (present.contains(scope.getKey())) {
                continue;
            }
            org.keycloak.representations.idm.ClientScopeRepresentation created = new org.keycloak.representations.idm.ClientScopeRepresentation();
            created.setName(scope.getKey());
            created.setProtocol("openid-connect");
            created.setAttributes(Map.of("include.in.token.scope", "true", "display.on.consent.screen", "false"));
            created.setProtocolMappers(scope.getValue());
            try (Response r = realm.clientScopes().create(created)) {
                expectCreated(r, "client scope " + scope.getKey());
            }
        }
    }

    /**
     * The launch context of a standalone patient launch, with Keycloak's own parts: the user attributes
     * {@value #PATIENT_ATTRIBUTE} and {@value #FHIR_USER_ATTRIBUTE} declared in the realm's user profile (seen and
     * edited by admins only, so a user cannot name another patient), which the launch context client scopes
     * ({@link #ensureSmartScopes}) put into the tokens. Keycloak cannot put a claim of a user attribute into the token
     * response itself; the FHIR server's token endpoint copies {@code patient} there ({@code SmartAuthorization}).
     */
    private static void declareLaunchContext(RealmResource realm) {
        org.keycloak.representations.userprofile.config.UPConfig profile = realm.users().userProfile().getConfiguration();
        boolean changed = false;
        for (String attribute : List.of(PATIENT_ATTRIBUTE, FHIR_USER_ATTRIBUTE)) {
            if (profile.getAttribute(attribute) == null) {
                org.keycloak.representations.userprofile.config.UPAttribute declared =
                        new org.keycloak.representations.userprofile.config.UPAttribute(attribute,
                                new org.keycloak.representations.userprofile.config.UPAttributePermissions(
                                        java.util.Set.of("admin"), java.util.Set.of("admin")));
                declared.setDisplayName(PATIENT_ATTRIBUTE.equals(attribute) ? "FHIR Patient id (SMART launch context)"
                        : "FHIR user (SMART fhirUser)");
                profile.addOrReplaceAttribute(declared);
                changed = true;
            }
        }
        if (changed) {
            realm.users().userProfile().update(profile);
        }
    }

    /** Keycloak's user attribute mapper: one attribute to one String claim of the access token (and the ID token). */
    private static ProtocolMapperRepresentation attributeMapper(String name, String attribute, String claim, boolean idToken) {
        ProtocolMapperRepresentation m = new ProtocolMapperRepresentation();
        m.setName(name);
        m.setProtocol("openid-connect");
        m.setProtocolMapper("oidc-usermodel-attribute-mapper");
        m.setConfig(Map.of("user.attribute", attribute, "claim.name", claim, "jsonType.label", "String",
                "access.token.claim", "true", "id.token.claim", String.valueOf(idToken), "userinfo.token.claim", String.valueOf(idToken),
                "introspection.token.claim", "true"));
        return m;
    }

    /**
     * Makes every {@link #SMART_SCOPES} and the launch context scopes ({@value #LAUNCH_PATIENT}, {@value #FHIR_USER}) an
     * optional client scope of the client (asked for with {@code scope}).
     */
    private static void offerSmartScopes(RealmResource realm, String clientId) {
        String id = realm.clients().findByClientId(clientId).get(0).getId();
        java.util.Set<String> offered = new java.util.HashSet<>();
        realm.clients().get(id).getOptionalClientScopes().forEach(s -> offered.add(s.getName()));
        for (org.keycloak.representations.idm.ClientScopeRepresentation scope : realm.clientScopes().findAll()) {
            boolean smart = SMART_SCOPES.contains(scope.getName()) || LAUNCH_PATIENT.equals(scope.getName()) || FHIR_USER.equals(scope.getName());
            if (smart && !offered.contains(scope.getName())) {
                realm.clients().get(id).addOptionalClientScope(scope.getId());
            }
        }
    }

    /**
     * Confidential, authorization code flow only (OpenID Connect Core 1.0 section 3.1), redirect URIs under the portal;
     * the realm roles also go into the ID token, where the portal's OpenID Connect mechanism reads the caller's groups.
     */
    private static ClientRepresentation portalWebClient(String portalUrl, String secret) {
        String base = portalUrl.replaceAll("/+$", "");
        ClientRepresentation c = new ClientRepresentation();
        c.setClientId(PORTAL_WEB_CLIENT);
        c.setName("PHR Cloud portal (web application)");
        c.setProtocol("openid-connect");
        c.setPublicClient(false);
        c.setSecret(secret);
        c.setStandardFlowEnabled(true);
        c.setDirectAccessGrantsEnabled(false);
        c.setServiceAccountsEnabled(false);
        c.setRedirectUris(List.of(base + "/*"));
        c.setAttributes(Map.of("post.logout.redirect.uris", base + "/*"));
        List<ProtocolMapperRepresentation> mappers = new ArrayList<>();
        for (ProtocolMapperRepresentation m : apiMappers()) {
            if (!"oidc-audience-mapper".equals(m.getProtocolMapper())) {
                Map<String, String> config = new java.util.HashMap<>(m.getConfig());
                config.put("id.token.claim", "true");
                m.setConfig(config);
            }
            mappers.add(m);
        }
        c.setProtocolMappers(mappers);
        return c;
    }

    /** {@code aud} += phr-backend (RFC 9068 section 2.2), realm roles -> {@code groups} (MicroProfile JWT). */
    private static List<ProtocolMapperRepresentation> apiMappers() {
        List<ProtocolMapperRepresentation> mappers = new ArrayList<>();
        for (Map<String, Object> definition : apiMapperDefinitions()) {
            ProtocolMapperRepresentation m = new ProtocolMapperRepresentation();
            m.setName((String) definition.get("name"));
            m.setProtocol((String) definition.get("protocol"));
            m.setProtocolMapper((String) definition.get("protocolMapper"));
            @SuppressWarnings("unchecked")
            Map<String, String> config = (Map<String, String>) definition.get("config");
            m.setConfig(config);
            mappers.add(m);
        }
        return mappers;
    }

    /**
     * The protocol mappers every client of the APIs has, as Keycloak's JSON representation (so the server, which has no
     * Keycloak client classes, can send them over the admin REST API): {@code aud} += phr-backend (RFC 9068 section
     * 2.2), realm roles as {@code groups} (MicroProfile JWT), the institution groups as {@code institutions} (full paths).
     */
    static List<Map<String, Object>> apiMapperDefinitions() {
        return List.of(
                Map.of("name", "phr-api-audience", "protocol", "openid-connect", "protocolMapper", "oidc-audience-mapper",
                        "config", Map.of("included.client.audience", BACKEND_CLIENT, "access.token.claim", "true", "id.token.claim", "false")),
                Map.of("name", "realm-roles-as-groups", "protocol", "openid-connect", "protocolMapper", "oidc-usermodel-realm-role-mapper",
                        "config", Map.of("claim.name", "groups", "multivalued", "true", "jsonType.label", "String",
                                "access.token.claim", "true", "id.token.claim", "false", "userinfo.token.claim", "true")),
                Map.of("name", "institutions", "protocol", "openid-connect", "protocolMapper", "oidc-group-membership-mapper",
                        "config", Map.of("claim.name", "institutions", "full.path", "true",
                                "access.token.claim", "true", "id.token.claim", "false", "userinfo.token.claim", "true")));
    }

    private static void ensureClient(RealmResource realm, ClientRepresentation wanted) {
        List<ClientRepresentation> found = realm.clients().findByClientId(wanted.getClientId());
        if (found.isEmpty()) {
            try (Response r = realm.clients().create(wanted)) {
                expectCreated(r, "client " + wanted.getClientId());
            }
            return;
        }
        String id = found.get(0).getId();
        List<ProtocolMapperRepresentation> mappers = wanted.getProtocolMappers();
        wanted.setProtocolMappers(null);
        wanted.setId(id);
        realm.clients().get(id).update(wanted);
        var mapperResource = realm.clients().get(id).getProtocolMappers();
        for (ProtocolMapperRepresentation m : mappers) {
            boolean present = mapperResource.getMappers().stream().anyMatch(e -> e.getName().equals(m.getName()));
            if (!present) {
                try (Response r = mapperResource.createMapper(m)) {
                    expectCreated(r, "mapper " + m.getName());
                }
            }
        }
    }

    /** @return the user's Keycloak id */
    private static String ensureUser(RealmResource realm, DemoUser user, boolean secretsKnown) {
        List<UserRepresentation> existing = realm.users().searchByUsername(user.username(), true);
        if (!existing.isEmpty()) {
            if (secretsKnown) {
                clearRequiredActions(realm, existing.get(0).getId());
                return existing.get(0).getId();
            }
            realm.users().delete(existing.get(0).getId()).close();
        }
        UserRepresentation u = new UserRepresentation();
        u.setUsername(user.username());
        u.setEnabled(true);
        u.setEmailVerified(true);
        u.setEmail(user.username() + "@demo.phr.invalid");
        u.setFirstName("Demo");
        u.setLastName(user.role().roleName());
        u.setCredentials(List.of(password(user.password()), totp(user.totpSecret())));
        String id;
        try (Response r = realm.users().create(u)) {
            expectCreated(r, "user " + user.username());
            String location = r.getLocation().getPath();
            id = location.substring(location.lastIndexOf('/') + 1);
        }
        RoleRepresentation role = realm.roles().get(user.role().roleName()).toRepresentation();
        realm.users().get(id).roles().realmLevel().add(List.of(role));
        clearRequiredActions(realm, id);
        return id;
    }

    /**
     * Demo users come with their authenticator: the realm's default required action {@code CONFIGURE_TOTP} (given
     * to every new user, also to ones created with an empty list) is taken off again.
     */
    private static void clearRequiredActions(RealmResource realm, String userId) {
        UserRepresentation rep = realm.users().get(userId).toRepresentation();
        if (rep.getRequiredActions() != null && !rep.getRequiredActions().isEmpty()) {
            rep.setRequiredActions(List.of());
            realm.users().get(userId).update(rep);
        }
    }

    private static CredentialRepresentation password(String value) {
        CredentialRepresentation c = new CredentialRepresentation();
        c.setType(CredentialRepresentation.PASSWORD);
        c.setValue(value);
        c.setTemporary(false);
        return c;
    }

    /** An OTP credential as Keycloak stores one (the secret as text; see {@link Totp}). */
    private static CredentialRepresentation totp(String base32Secret) {
        CredentialRepresentation c = new CredentialRepresentation();
        c.setType("otp");
        c.setUserLabel("PHR demo authenticator");
        c.setSecretData("{\"value\":\"" + Totp.keycloakSecretValue(base32Secret) + "\"}");
        c.setCredentialData("{\"subType\":\"totp\",\"digits\":" + Totp.DIGITS + ",\"counter\":0,\"period\":"
                + Totp.PERIOD.toSeconds() + ",\"algorithm\":\"" + Totp.ALGORITHM + "\"}");
        return c;
    }

    private static void expectCreated(Response r, String what) {
        if (r.getStatus() != 201) {
            throw new IllegalStateException("PHR-IDENTITY-0011: Keycloak refused to create " + what
                    + ": HTTP " + r.getStatus() + " " + r.readEntity(String.class));
        }
    }

    private static String randomSecret(int length) {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
