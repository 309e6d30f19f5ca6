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
 * Keycloak ({@code phr.oidc.issuer}). It states only what works here: OpenID Connect sign-in, public clients with PKCE
 * S256 and confidential clients with a secret, standalone launch, and the v1 and v2 patient, user and system scopes
 * Keycloak issues ({@link RealmProvisioner#SMART_SCOPES}), which narrow every request ({@code SmartScopeInterceptor}).
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

    /** The OpenID Connect authorization endpoint of the realm. */
    public String authorizationEndpoint() {
        return issuer + "/protocol/openid-connect/auth";
    }

    /** The token endpoint of the realm. */
    public String tokenEndpoint() {
        return issuer + "/protocol/openid-connect/token";
    }

    /** The {@code .well-known/smart-configuration} document, JSON. */
    public String document() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("issuer", issuer);
        d.put("jwks_uri", issuer + "/protocol/openid-connect/certs");
        d.put("authorization_endpoint", authorizationEndpoint());
        d.put("token_endpoint", tokenEndpoint());
        d.put("introspection_endpoint", issuer + "/protocol/openid-connect/token/introspect");
        d.put("revocation_endpoint", issuer + "/protocol/openid-connect/revoke");
        d.put("grant_types_supported", List.of("authorization_code", "client_credentials"));
        d.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        d.put("response_types_supported", List.of("code"));
        d.put("code_challenge_methods_supported", List.of("S256"));
        List<String> scopes = new ArrayList<>(List.of("openid", "offline_access"));
        scopes.addAll(RealmProvisioner.SMART_SCOPES);
        d.put("scopes_supported", scopes);
        d.put("capabilities", List.of("launch-standalone", "client-public", "client-confidential-symmetric", "sso-openid-connect",
                "permission-v1", "permission-v2", "permission-patient", "permission-user"));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(d);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds SMART's {@code rest.security} (service SMART-on-FHIR, the OAuth URIs extension) to every REST entry. */
    public CapabilityStatement describe(CapabilityStatement statement) {
        for (CapabilityStatement.CapabilityStatementRestComponent rest : statement.getRest()) {
            CapabilityStatement.CapabilityStatementRestSecurityComponent security = rest.getSecurity();
            security.setCors(true);
            security.getService().clear();
            security.addService(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(SECURITY_SERVICE_SYSTEM, "SMART-on-FHIR",
                    "SMART-on-FHIR")).setText("OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)"));
            security.setDescription("Bearer access tokens of the realm " + issuer + "; SMART scopes narrow what a token may do.");
            security.getExtension().removeIf(e -> OAUTH_URIS.equals(e.getUrl()));
            Extension uris = security.addExtension().setUrl(OAUTH_URIS);
            uris.addExtension("authorize", new UriType(authorizationEndpoint()));
            uris.addExtension("token", new UriType(tokenEndpoint()));
        }
        return statement;
    }
}
