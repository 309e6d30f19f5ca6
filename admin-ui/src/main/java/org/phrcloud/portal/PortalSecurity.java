package org.phrcloud.portal;

import jakarta.annotation.security.DeclareRoles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.authentication.mechanism.http.OpenIdAuthenticationMechanismDefinition;
import jakarta.security.enterprise.authentication.mechanism.http.openid.ClaimsDefinition;

/**
 * Login: Jakarta Security 3.0 OpenID Connect (authorization code flow, OpenID Connect Core 1.0 section 3.1) against the
 * Keycloak realm, as the confidential client {@code phr-portal-web}. Every portal login asks for {@code acr_values=2}
 * (password, then the TOTP code), so the access token the portal forwards to {@code /fhir} and {@code /api} passes the
 * step-up rules of sensitive actions (approving a consent, emergency access, research, administration). The realm
 * roles arrive in the {@code groups} claim and map one to one to the portal's roles (WEB-INF/glassfish-web.xml).
 * Tokens are refreshed before they expire; the HTTP session holds them (WEB-INF/web.xml sets its timeout).
 */
@ApplicationScoped
@DeclareRoles({"patient", "practitioner", "family-doctor", "pharmacist", "lab", "researcher", "admin"})
@OpenIdAuthenticationMechanismDefinition(
        providerURI = "${portalConfig.issuer}",
        clientId = "${portalConfig.clientId}",
        clientSecret = "${portalConfig.clientSecret}",
        redirectURI = "${baseURL}/callback",
        redirectToOriginalResource = false,
        scope = {"openid", "profile"},
        extraParameters = {"acr_values=2"},
        claimsDefinition = @ClaimsDefinition(callerNameClaim = "preferred_username", callerGroupsClaim = "groups"),
        tokenAutoRefresh = true,
        tokenMinValidity = 30_000)
public class PortalSecurity {
}
