package org.phrcloud.server.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;
import org.phrcloud.core.config.PlatformSettings;
import org.phrcloud.ledger.anchor.AnchoringStatus;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.support.WebApplicationContextUtils;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * The server's MicroProfile Health checks, one producer each:
 * <ul>
 *   <li>{@code /health/started}: UP once the server's Spring context runs, which is after the schema migrations of every
 *       module (Flyway, at context start) and HAPI FHIR's storage are ready. Kubernetes sends no traffic and no
 *       liveness probe before it.</li>
 *   <li>{@code /health/live}: DOWN only when the server cannot recover by itself (its Spring context has closed), so
 *       that Kubernetes restarts it. Dependencies (database, Keycloak, chain) are readiness matters: restarting does
 *       not mend them.</li>
 * </ul>
 * {@code /health/ready}: whether this replica can serve requests now.
 * <ul>
 *   <li>{@code database}: a connection from the pool answers {@link Connection#isValid} within 2 s;</li>
 *   <li>{@code token-issuer}: the issuer's JWK Set ({@code <issuer>/protocol/openid-connect/certs}) answers 200
 *       within 3 s, since no token can be verified without its keys;</li>
 *   <li>{@code chain}: always UP (a write never waits for the chain: ARCHITECTURE.md "Write path"), reporting whether the
 *       node answers JSON-RPC and the anchoring state of {@link AnchoringStatus} (off, ok, delayed, failing) with the
 *       number of blocks waiting for an anchor.</li>
 * </ul>
 * Every check is DOWN, with {@code reason: starting}, until the Spring context runs. Results are not cached: Kubernetes
 * probes every 10 s. Nothing here names a patient.
 */
@ApplicationScoped
public class HealthChecks {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Inject
    ServletContext servletContext;

    @Produces
    @Startup
    HealthCheck started() {
        return () -> HealthCheckResponse.named("phr-server").status(spring() != null).build();
    }

    @Produces
    @Liveness
    HealthCheck live() {
        return () -> HealthCheckResponse.named("phr-server").status(spring() != null).build();
    }

    @Produces
    @Readiness
    HealthCheck database() {
        return afterStart("database", spring -> {
            try (Connection c = spring.getBean(DataSource.class).getConnection()) {
                return HealthCheckResponse.named("database").status(c.isValid(2)).build();
            } catch (Exception e) {
                return HealthCheckResponse.named("database").down().withData("reason", e.getClass().getSimpleName()).build();
            }
        });
    }

    @Produces
    @Readiness
    HealthCheck tokenIssuer() {
        return afterStart("token-issuer", spring -> {
            String jwks = spring.getBean(PlatformSettings.class).issuer() + "/protocol/openid-connect/certs";
            int status = get(jwks);
            return HealthCheckResponse.named("token-issuer").status(status == 200).withData("jwks", jwks)
                    .withData("status", status).build();
        });
    }

    @Produces
    @Readiness
    HealthCheck chain() {
        return afterStart("chain", spring -> {
            PlatformSettings.Chain chain = spring.getBean(PlatformSettings.class).chain();
            var response = HealthCheckResponse.named("chain").up();
            if (chain == null) {
                return response.withData("anchoring", "off").build();
            }
            AnchoringStatus status = AnchoringStatus.read(spring.getBean(DataSource.class), true, Instant.now());
            return response.withData("node", rpcAnswers(chain.rpcUrl()) ? "reachable" : "unreachable")
                    .withData("anchoring", status.health()).withData("pendingBlocks", status.pendingBlocks()).build();
        });
    }

    /** A check that needs the Spring context: DOWN with {@code reason: starting} until it runs. */
    private HealthCheck afterStart(String name, Function<WebApplicationContext, HealthCheckResponse> check) {
        return () -> {
            WebApplicationContext spring = spring();
            return spring == null ? HealthCheckResponse.named(name).down().withData("reason", "starting").build() : check.apply(spring);
        };
    }

    /** @return the server's running Spring context, or null while it starts or once it is closed */
    private WebApplicationContext spring() {
        WebApplicationContext context = WebApplicationContextUtils.getWebApplicationContext(servletContext);
        if (context instanceof org.springframework.context.ConfigurableApplicationContext c && !c.isActive()) {
            return null;
        }
        return context;
    }

    /** @return the HTTP status of a GET, or 0 when nothing answered within 3 s */
    private static int get(String url) {
        return status(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build());
    }

    /** @return whether the node answers {@code eth_chainId} (JSON-RPC 2.0) with 200 within 3 s */
    private static boolean rpcAnswers(String rpcUrl) {
        return status(HttpRequest.newBuilder(URI.create(rpcUrl)).timeout(Duration.ofSeconds(3)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"))
                .build()) == 200;
    }

    private static int status(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
