package org.phrcloud.server;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.provider.IJpaSystemProvider;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.audit.AuditRequestInterceptor;
import org.phrcloud.audit.Auditor;
import org.phrcloud.consent.ConsentService;
import org.phrcloud.standards.fhir.security.BearerTokenAuthenticationInterceptor;
import org.phrcloud.standards.fhir.bulk.BulkExportEndpoint;
import org.phrcloud.standards.fhir.security.SmartAuthorization;
import org.phrcloud.standards.fhir.security.SmartConfiguration;
import org.phrcloud.consent.policy.CompartmentAuthorizationInterceptor;
import org.phrcloud.standards.fhir.stats.ObservationStatsProvider;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import org.hl7.fhir.r4.model.Observation;
import org.phrcloud.consent.policy.CompartmentSearchNarrowingInterceptor;
import org.phrcloud.standards.fhir.validation.IncomingResourceValidationInterceptor;
import org.springframework.context.ApplicationContext;
import org.springframework.web.context.support.WebApplicationContextUtils;

import jakarta.servlet.ServletException;

/**
 * The FHIR R4 endpoint. Interceptors, in the order a request meets them:
 * <ol>
 *   <li>{@link BearerTokenAuthenticationInterceptor}: 401 without a valid Keycloak token;</li>
 *   <li>{@code SmartScopeInterceptor}: a token's SMART resource scopes narrow what it may do (403 otherwise);</li>
 *   <li>{@link CompartmentSearchNarrowingInterceptor}: searches by patients and care givers are limited to the
 *       compartments they may reach;</li>
 *   <li>{@link CompartmentAuthorizationInterceptor}: which records the caller may read and write, checked on
 *       every resource in and out (403 otherwise);</li>
 *   <li>{@link IncomingResourceValidationInterceptor}: the body of a create, update or transaction is
 *       validated against the R4 base profiles, offline; an error means 422 with the OperationOutcome and
 *       nothing written; a body that does not parse means 400.</li>
 *   <li>{@link AuditRequestInterceptor}: one AuditEvent per request that is not a committed write (those are recorded
 *       in their transaction by {@code AuditWriteInterceptor}), refusals included.</li>
 * </ol>
 * {@code GET /fhir/.well-known/smart-configuration} and the CapabilityStatement's {@code rest.security} describe the
 * SMART App Launch authorization ({@link SmartConfiguration}); both are public. The Bulk Data export ({@code $export} at
 * the system, Patient and Group levels, its status and files under {@code bulk-export/}) is answered by
 * {@link BulkExportEndpoint}, outside HAPI's dispatcher: its searches go through all of the above.
 * An unknown resource type is refused by the dispatcher (404) with an OperationOutcome. A transaction Bundle is one database transaction: it commits whole or not at all.
 */
public class PhrFhirServer extends RestfulServer {
    private static final long serialVersionUID = 1L;
    private transient SmartConfiguration smart;
    private transient SmartAuthorization authorization;
    private transient BulkExportEndpoint bulkExport;

    /**
     * The SMART endpoints outside HAPI's dispatcher, public: {@code GET .well-known/smart-configuration}, {@code GET
     * auth/authorize} and {@code POST auth/token} ({@link SmartAuthorization}); a CORS preflight of the token endpoint
     * is answered here too. Everything else goes to HAPI.
     */
    @Override
    protected void service(jakarta.servlet.http.HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response)
            throws ServletException, java.io.IOException {
        String path = request.getPathInfo();
        String method = request.getMethod();
        boolean smartPath = SmartConfiguration.PATH.equals(path) || SmartAuthorization.AUTHORIZE_PATH.equals(path)
                || SmartAuthorization.TOKEN_PATH.equals(path);
        if (BulkExportEndpoint.handles(path) && !"OPTIONS".equals(method)) {
            bulkExport.handle(request, response, getServerAddressStrategy().determineServerBase(getServletContext(), request));
            return;
        }
        if (!smartPath) {
            super.service(request, response);
            return;
        }
        response.setHeader("Access-Control-Allow-Origin", "*");
        String base = getServerAddressStrategy().determineServerBase(getServletContext(), request);
        if ("OPTIONS".equals(method)) {
            response.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            response.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept");
            response.setHeader("Access-Control-Max-Age", "600");
            response.setStatus(204);
        } else if (SmartConfiguration.PATH.equals(path) && "GET".equals(method)) {
            json(response, 200, smart.document(base));
        } else if (SmartAuthorization.AUTHORIZE_PATH.equals(path) && "GET".equals(method)) {
            answer(response, authorization.authorize(request.getQueryString(), base));
        } else if (SmartAuthorization.TOKEN_PATH.equals(path) && "POST".equals(method)) {
            response.setHeader("Cache-Control", "no-store");
            response.setHeader("Pragma", "no-cache");
            String form = new String(request.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            answer(response, authorization.token(form, request.getHeader("Authorization")));
        } else {
            response.setHeader("Allow", SmartAuthorization.TOKEN_PATH.equals(path) ? "POST, OPTIONS" : "GET, OPTIONS");
            json(response, 405, "{\"error\":\"invalid_request\",\"error_description\":\"method not allowed\"}");
        }
    }

    private static void answer(jakarta.servlet.http.HttpServletResponse response, SmartAuthorization.Answer answer) throws java.io.IOException {
        if (answer.location() != null) {
            response.sendRedirect(answer.location());
        } else {
            json(response, answer.status(), answer.body());
        }
    }

    private static void json(jakarta.servlet.http.HttpServletResponse response, int status, String body) throws java.io.IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(body);
    }

    @Override
    protected void initialize() throws ServletException {
        ApplicationContext spring = WebApplicationContextUtils.getRequiredWebApplicationContext(getServletContext());
        IFhirSystemDao<?, ?> systemDao = spring.getBean(IFhirSystemDao.class);
        setFhirContext(systemDao.getContext());
        setDefaultResponseEncoding(EncodingEnum.JSON);
        setServerAddressStrategy(new IncomingRequestAddressStrategy());

        registerProviders(spring.getBean(ResourceProviderFactory.class).createProviders());
        registerProvider(spring.getBean(IJpaSystemProvider.class));
        registerProvider(new ObservationStatsProvider(spring.getBean(DaoRegistry.class).getResourceDao(Observation.class)));
        IValidationSupport validationSupport = spring.getBean(IValidationSupport.class);
        String issuer = spring.getBean(org.phrcloud.core.config.PlatformSettings.class).issuer();
        smart = new SmartConfiguration(issuer);
        authorization = new SmartAuthorization(issuer);
        bulkExport = spring.getBean(BulkExportEndpoint.class);
        setServerConformanceProvider(new JpaCapabilityStatementProvider(this, systemDao,
                spring.getBean(JpaStorageSettings.class), spring.getBean(ISearchParamRegistry.class), validationSupport) {
            @Override
            public org.hl7.fhir.instance.model.api.IBaseConformance getServerConformance(jakarta.servlet.http.HttpServletRequest request,
                                                                                           ca.uhn.fhir.rest.api.server.RequestDetails details) {
                org.hl7.fhir.r4.model.CapabilityStatement statement = smart.describe(
                        (org.hl7.fhir.r4.model.CapabilityStatement) super.getServerConformance(request, details), details.getFhirServerBase());
                BulkExportEndpoint.describe(statement);
                return statement;
            }
        });
        setPagingProvider(spring.getBean(DatabaseBackedPagingProvider.class));

        // registration order is execution order at the same pointcut: authenticate before reading the body
        registerInterceptor(new DatabaseUnavailableInterceptor(getFhirContext()));
        registerInterceptor(new ca.uhn.fhir.rest.server.interceptor.CorsInterceptor(cors()));
        registerInterceptor(spring.getBean(BearerTokenAuthenticationInterceptor.class));
        MasterPatientIndex mpi = spring.getBean(MasterPatientIndex.class);
        registerProvider(new org.phrcloud.standards.fhir.identity.PatientMatchOperation(mpi));
        ConsentService consents = spring.getBean(ConsentService.class);
        registerInterceptor(new org.phrcloud.consent.policy.SmartScopeInterceptor(getFhirContext()));
        registerInterceptor(new CompartmentSearchNarrowingInterceptor(mpi, consents::grantsInForce));
        registerInterceptor(new CompartmentAuthorizationInterceptor(mpi, consents::grantsInForce));
        registerInterceptor(new IncomingResourceValidationInterceptor(validationSupport));
        registerInterceptor(new AuditRequestInterceptor(spring.getBean(Auditor.class)));
    }

    /**
     * Cross-origin requests (Fetch standard, CORS) from browser apps on other origins, such as SMART apps: any origin, as
     * access goes by the bearer token in {@code Authorization}, never by cookies (no credentials allowed); the preflight is
     * answered before authentication.
     */
    private static org.springframework.web.cors.CorsConfiguration cors() {
        org.springframework.web.cors.CorsConfiguration cors = new org.springframework.web.cors.CorsConfiguration();
        cors.addAllowedOrigin("*");
        cors.setAllowedMethods(java.util.List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
        cors.setAllowedHeaders(java.util.List.of("Authorization", "Content-Type", "Accept", "Prefer", "If-Match", "If-None-Exist",
                "If-None-Match", "If-Modified-Since", "X-Requested-With"));
        cors.setExposedHeaders(java.util.List.of("Location", "Content-Location", "ETag", "Last-Modified", "X-Progress"));
        cors.setAllowCredentials(false);
        cors.setMaxAge(600L);
        return cors;
    }
}
