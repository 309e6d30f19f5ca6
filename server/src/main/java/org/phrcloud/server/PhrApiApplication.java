package org.phrcloud.server;

import org.phrcloud.core.rest.ProblemMapper;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.phrcloud.api.audit.AuditResource;
import org.phrcloud.api.consent.ConsentResource;
import org.phrcloud.api.identity.AdminResource;
import org.phrcloud.api.identity.IdentityResource;
import org.phrcloud.api.ledger.LedgerResource;
import org.phrcloud.core.rest.AccessFilter;

import java.util.Set;

/**
 * The {@code /api} application (mapped in web.xml to Jersey's servlet; the FHIR servlet keeps {@code /fhir}).
 * JSON is read and written by Jackson, strictly: an unknown member is a 400 (see {@code JsonBodies}).
 */
@OpenAPIDefinition(info = @Info(title = "PHR Cloud APIs", version = "0.1.0",
        description = "Master patient index (/api/identity), ledger (/api/ledger), consent (/api/consent), audit (/api/audit), HL7 v2 (/api/hl7v2). Bearer tokens from the Keycloak realm phr; people need "
                + "acr=2 (password + OTP) where an operation says so (RFC 9470)."))
@SecurityScheme(securitySchemeName = "keycloak", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
public class PhrApiApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(AccessFilter.class, ProblemMapper.class, org.phrcloud.api.problem.ProblemTypeResource.class, IdentityResource.class, AdminResource.class, LedgerResource.class,
                ConsentResource.class, AuditResource.class, org.phrcloud.api.federation.FederationResource.class,
                org.phrcloud.api.hl7v2.Hl7v2Resource.class, org.phrcloud.research.dataset.ResearchResource.class);
    }

}
