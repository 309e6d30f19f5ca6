package org.phrcloud.server.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/**
 * {@code /health/started}: UP once the server's Spring context runs, which is after the schema migrations of every
 * module (Flyway, at context start) and HAPI FHIR's storage are ready. Kubernetes sends no traffic and no liveness probe
 * before it.
 */
@Startup
@ApplicationScoped
public class StartedCheck implements HealthCheck {
    @Inject
    ServletContext servletContext;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("phr-server").status(SpringContext.of(servletContext) != null).build();
    }
}
