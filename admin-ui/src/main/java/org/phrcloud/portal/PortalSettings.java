package org.phrcloud.portal;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The portal's configuration, from Java system properties first, then environment variables, named as the server names
 * its settings ({@code phr.oidc.issuer} is also {@code PHR_OIDC_ISSUER}), read when first used. Named {@code portalConfig}: the OpenID Connect definition ({@link PortalSecurity}) reads it through EL.
 * <ul>
 *   <li>{@code PHR_OIDC_ISSUER}: the Keycloak realm URL, e.g. {@code http://127.0.0.1:8180/realms/phr} (required);</li>
 *   <li>{@code PHR_PORTAL_CLIENT_ID}: the portal's confidential client, default {@code phr-portal-web};</li>
 *   <li>{@code PHR_PORTAL_CLIENT_SECRET_FILE} (or {@code PHR_PORTAL_CLIENT_SECRET}): its secret; never in code;</li>
 *   <li>{@code PHR_PORTAL_API_URL}: where the portal reaches {@code /fhir} and {@code /api}; default the same server
 *       on the loopback address and the port of the request.</li>
 * </ul>
 */
@ApplicationScoped
@Named("portalConfig")
public class PortalSettings {
    private volatile String secret;

    public String getIssuer() {
        return required("PHR_OIDC_ISSUER");
    }

    public String getClientId() {
        String id = value("PHR_PORTAL_CLIENT_ID");
        return id == null ? "phr-portal-web" : id;
    }

    /** @throws IllegalStateException when neither the secret nor its file is configured, or the file is unreadable */
    public String getClientSecret() {
        if (secret == null) {
            String file = value("PHR_PORTAL_CLIENT_SECRET_FILE");
            if (file != null) {
                try {
                    secret = Files.readString(Path.of(file)).trim();
                } catch (IOException e) {
                    throw new UncheckedIOException("PHR-PORTAL-0001: cannot read PHR_PORTAL_CLIENT_SECRET_FILE", e);
                }
            } else {
                secret = required("PHR_PORTAL_CLIENT_SECRET");
            }
        }
        return secret;
    }

    /** @return the configured API base without a trailing slash, or null to use the request's own server */
    public String getApiUrl() {
        String url = value("PHR_PORTAL_API_URL");
        return url == null ? null : url.replaceAll("/+$", "");
    }

    private static String required(String name) {
        String v = value(name);
        if (v == null) {
            throw new IllegalStateException("PHR-PORTAL-0002: " + name + " is not set");
        }
        return v;
    }

    private static String value(String name) {
        String v = System.getProperty(name.toLowerCase(java.util.Locale.ROOT).replace('_', '.'));
        if (v == null || v.isBlank()) {
            v = System.getenv(name);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }
}
