package org.phrcloud.server.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * {@code /health/live}: DOWN only when the server cannot recover by itself (its Spring context has closed), so that
 * Kubernetes restarts it. Dependencies (database, Keycloak, chain) are readiness matters: restarting does not mend them.
 */
@Liveness
@ApplicationScoped
public class LiveCheck implements HealthCheck {
    @Inject
    ServletContext servletContext;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("phr-server").status(SpringContext.of(servletContext) != null).build();
    }
}
