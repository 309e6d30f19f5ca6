package org.phrcloud.benchmark.baseline;

import org.phrcloud.core.config.PlatformSettings;
import org.phrcloud.identity.token.AccessTokenVerifier;
import org.phrcloud.standards.fhir.config.FhirJpaConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * The baseline's Spring context: the platform's HAPI FHIR JPA storage configuration ({@link FhirJpaConfig}, the same
 * class the PHR server imports) and an access-token verifier, nothing else: no master patient index, ledger, audit,
 * consent, validation or SMART scopes. Settings, as the platform's: {@code phr.db.url} (default: an H2 file database
 * {@code baseline-fhir} in the domain, with the platform's durable commits), {@code phr.db.username},
 * {@code phr.db.password}, {@code phr.oidc.issuer} (required), {@code phr.oidc.audience} (default {@code phr-backend}).
 */
@Configuration
@Import(FhirJpaConfig.class)
public class BaselineConfig {
    /** The database and token settings; the platform's keys and chain are not used here (null). */
    @Bean
    public PlatformSettings baselineSettings(Environment env) {
        String instanceRoot = env.getProperty("com.sun.aas.instanceRoot", System.getProperty("java.io.tmpdir"));
        String issuer = env.getProperty("phr.oidc.issuer");
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalStateException("PHR-FHIR-0001: phr.oidc.issuer (PHR_OIDC_ISSUER) is not set");
        }
        return new PlatformSettings(PlatformSettings.durable(env.getProperty("phr.db.url", "jdbc:h2:file:" + instanceRoot + "/phr-data/baseline-fhir")),
                env.getProperty("phr.db.username", "sa"), env.getProperty("phr.db.password", ""), issuer.trim(),
                env.getProperty("phr.oidc.audience", "phr-backend"), null, null, null, null, null, null);
    }

    @Bean
    public AccessTokenVerifier accessTokenVerifier(PlatformSettings settings) {
        return new AccessTokenVerifier(AccessTokenVerifier.Settings.forKeycloakRealm(settings.issuer(), settings.audience()));
    }
}
