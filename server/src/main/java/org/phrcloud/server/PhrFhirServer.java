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
 * SMART App Launch authorization ({@link SmartConfiguration}); both are public.
 * An unknown resource type is refused by the dispatcher (404) with an OperationOutcome. A transaction Bundle is one database transaction: it commits whole or not at all.
 */
public class PhrFhirServer extends RestfulServer {
    private static final long serialVersionUID = 1L;
    private transient SmartConfiguration smart;

    @Override
    protected void doGet(jakarta.servlet.http.HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response)
            throws ServletException, java.io.IOException {
        if (SmartConfiguration.PATH.equals(request.getPathInfo())) {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write(smart.document());
            return;
        }
        super.doGet(request, response);
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
        smart = new SmartConfiguration(spring.getBean(org.phrcloud.core.config.PlatformSettings.class).issuer());
        setServerConformanceProvider(new JpaCapabilityStatementProvider(this, systemDao,
                spring.getBean(JpaStorageSettings.class), spring.getBean(ISearchParamRegistry.class), validationSupport) {
            @Override
            public org.hl7.fhir.instance.model.api.IBaseConformance getServerConformance(jakarta.servlet.http.HttpServletRequest request,
                                                                                           ca.uhn.fhir.rest.api.server.RequestDetails details) {
                return smart.describe((org.hl7.fhir.r4.model.CapabilityStatement) super.getServerConformance(request, details));
            }
        });
        setPagingProvider(spring.getBean(DatabaseBackedPagingProvider.class));

        // registration order is execution order at the same pointcut: authenticate before reading the body
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
}
