package org.phrcloud.standards.fhir.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;
import org.phrcloud.identity.keycloak.RealmProvisioner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SMART App Launch discovery (HL7 SMART App Launch 2.x, "Conformance": {@code GET [base]/.well-known/smart-configuration}
 * and the CapabilityStatement's {@code rest.security}) for this FHIR server, whose authorization server is the realm's
 * Keycloak ({@code phr.oidc.issuer}). It states only what works here: OpenID Connect sign-in with {@code fhirUser},
 * public clients with PKCE S256 and confidential clients with a secret, backend services with a signed client assertion
 * ({@code private_key_jwt}, RFC 7523; clients registered by {@code KeycloakDirectory.createSystemClient}), standalone launch with the patient in context
 * ({@code launch/patient}), and the v1 and v2 patient, user and system scopes Keycloak issues
 * ({@link RealmProvisioner#SMART_SCOPES}), which narrow every request ({@code SmartScopeInterceptor}). The authorization
 * and token endpoints are this server's ({@link SmartAuthorization}: the {@code aud} check and the token response's
 * {@code patient}), in front of Keycloak's; the issuer, its keys, introspection and revocation are Keycloak's.
 */
public final class SmartConfiguration {
    /** The path under the FHIR base. */
    public static final String PATH = "/.well-known/smart-configuration";
    /** The SMART service in {@code CapabilityStatement.rest.security.service}. */
    public static final String SECURITY_SERVICE_SYSTEM = "http://terminology.hl7.org/CodeSystem/restful-security-service";
    /** The extension that names the OAuth endpoints in the CapabilityStatement. */
    public static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String issuer;

    /** @param issuer the realm's issuer URL ({@code <keycloak>/realms/<realm>}) */
    public SmartConfiguration(String issuer) {
        this.issuer = issuer.replaceAll("/+$", "");
    }

    /** The authorization endpoint: {@link SmartAuthorization#AUTHORIZE_PATH} under the FHIR base. */
    public static String authorizationEndpoint(String fhirBase) {
        return fhirBase.replaceAll("/+$", "") + SmartAuthorization.AUTHORIZE_PATH;
    }

    /** The token endpoint: {@link SmartAuthorization#TOKEN_PATH} under the FHIR base. */
    public static String tokenEndpoint(String fhirBase) {
        return fhirBase.replaceAll("/+$", "") + SmartAuthorization.TOKEN_PATH;
    }

    /**
     * The {@code .well-known/smart-configuration} document, JSON.
     *
     * @param fhirBase this FHIR server's base URL as the request reached it
     */
    public String document(String fhirBase) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("issuer", issuer);
        d.put("jwks_uri", issuer + "/protocol/openid-connect/certs");
        d.put("authorization_endpoint", authorizationEndpoint(fhirBase));
        d.put("token_endpoint", tokenEndpoint(fhirBase));
        d.put("introspection_endpoint", issuer + "/protocol/openid-connect/token/introspect");
        d.put("revocation_endpoint", issuer + "/protocol/openid-connect/revoke");
        d.put("grant_types_supported", List.of("authorization_code", "client_credentials"));
        d.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post", "private_key_jwt"));
        d.put("token_endpoint_auth_signing_alg_values_supported", List.of("ES384", "RS384"));
        d.put("response_types_supported", List.of("code"));
        d.put("code_challenge_methods_supported", List.of("S256"));
        List<String> scopes = new ArrayList<>(List.of("openid", RealmProvisioner.FHIR_USER, RealmProvisioner.LAUNCH_PATIENT, "offline_access"));
        scopes.addAll(RealmProvisioner.SMART_SCOPES);
        d.put("scopes_supported", scopes);
        d.put("capabilities", List.of("launch-standalone", "context-standalone-patient", "client-public", "client-confidential-symmetric",
                "sso-openid-connect", "permission-v1", "permission-v2", "permission-patient", "permission-user"));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(d);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adds SMART's {@code rest.security} (service SMART-on-FHIR, the OAuth URIs extension) to every REST entry.
     *
     * @param fhirBase this FHIR server's base URL as the request reached it
     */
    public CapabilityStatement describe(CapabilityStatement statement, String fhirBase) {
        for (CapabilityStatement.CapabilityStatementRestComponent rest : statement.getRest()) {
            CapabilityStatement.CapabilityStatementRestSecurityComponent security = rest.getSecurity();
            security.setCors(true);
            security.getService().clear();
            security.addService(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(SECURITY_SERVICE_SYSTEM, "SMART-on-FHIR",
                    "SMART-on-FHIR")).setText("OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)"));
            security.setDescription("Bearer access tokens of the realm " + issuer + "; SMART scopes narrow what a token may do.");
            security.getExtension().removeIf(e -> OAUTH_URIS.equals(e.getUrl()));
            Extension uris = security.addExtension().setUrl(OAUTH_URIS);
            uris.addExtension("authorize", new UriType(authorizationEndpoint(fhirBase)));
            uris.addExtension("token", new UriType(tokenEndpoint(fhirBase)));
        }
        return statement;
    }
}
