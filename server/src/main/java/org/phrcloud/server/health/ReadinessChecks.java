package org.phrcloud.server.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.phrcloud.core.config.PlatformSettings;
import org.phrcloud.ledger.anchor.AnchoringStatus;
import org.springframework.web.context.WebApplicationContext;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;

/**
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
public class ReadinessChecks {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Inject
    ServletContext servletContext;

    @Produces
    @Readiness
    HealthCheck database() {
        return () -> {
            WebApplicationContext spring = SpringContext.of(servletContext);
            if (spring == null) {
                return starting("database");
            }
            try (Connection c = spring.getBean(DataSource.class).getConnection()) {
                return HealthCheckResponse.named("database").status(c.isValid(2)).build();
            } catch (Exception e) {
                return HealthCheckResponse.named("database").down().withData("reason", e.getClass().getSimpleName()).build();
            }
        };
    }

    @Produces
    @Readiness
    HealthCheck tokenIssuer() {
        return () -> {
            WebApplicationContext spring = SpringContext.of(servletContext);
            if (spring == null) {
                return starting("token-issuer");
            }
            String jwks = spring.getBean(PlatformSettings.class).issuer() + "/protocol/openid-connect/certs";
            int status = get(jwks);
            return HealthCheckResponse.named("token-issuer").status(status == 200).withData("jwks", jwks)
                    .withData("status", status).build();
        };
    }

    @Produces
    @Readiness
    HealthCheck chain() {
        return () -> {
            WebApplicationContext spring = SpringContext.of(servletContext);
            if (spring == null) {
                return starting("chain");
            }
            PlatformSettings.Chain chain = spring.getBean(PlatformSettings.class).chain();
            var response = HealthCheckResponse.named("chain").up();
            if (chain == null) {
                return response.withData("anchoring", "off").build();
            }
            AnchoringStatus status = AnchoringStatus.read(spring.getBean(DataSource.class), true, Instant.now());
            return response.withData("node", rpcAnswers(chain.rpcUrl()) ? "reachable" : "unreachable")
                    .withData("anchoring", status.health()).withData("pendingBlocks", status.pendingBlocks()).build();
        };
    }

    private static HealthCheckResponse starting(String name) {
        return HealthCheckResponse.named(name).down().withData("reason", "starting").build();
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
