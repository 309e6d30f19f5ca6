package org.phrcloud.standards.fhir.server;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.provider.IJpaSystemProvider;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.RequestValidatingInterceptor;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.phrcloud.standards.fhir.security.BearerTokenAuthenticationInterceptor;
import org.springframework.context.ApplicationContext;
import org.springframework.web.context.support.WebApplicationContextUtils;

import jakarta.servlet.ServletException;

/**
 * The FHIR R4 endpoint. Interceptors, in the order a request meets them:
 * <ol>
 *   <li>{@link BearerTokenAuthenticationInterceptor}: 401 without a valid Keycloak token;</li>
 *   <li>{@link RequestValidatingInterceptor}: the body of a create, update or transaction is validated
 *       against the R4 base profiles ({@link FhirInstanceValidator}, offline); an error means
 *       422 with the OperationOutcome and nothing written.</li>
 * </ol>
 * Malformed JSON/XML is refused by the parser (400), an unknown resource type by the dispatcher (404),
 * both with an OperationOutcome. A transaction Bundle is one database transaction: it commits whole or not at all.
 */
public class PhrFhirServer extends RestfulServer {
    private static final long serialVersionUID = 1L;

    @Override
    protected void initialize() throws ServletException {
        ApplicationContext spring = WebApplicationContextUtils.getRequiredWebApplicationContext(getServletContext());
        IFhirSystemDao<?, ?> systemDao = spring.getBean(IFhirSystemDao.class);
        setFhirContext(systemDao.getContext());
        setDefaultResponseEncoding(EncodingEnum.JSON);
        setServerAddressStrategy(new IncomingRequestAddressStrategy());

        registerProviders(spring.getBean(ResourceProviderFactory.class).createProviders());
        registerProvider(spring.getBean(IJpaSystemProvider.class));
        IValidationSupport validationSupport = spring.getBean(IValidationSupport.class);
        setServerConformanceProvider(new JpaCapabilityStatementProvider(this, systemDao,
                spring.getBean(JpaStorageSettings.class), spring.getBean(ISearchParamRegistry.class), validationSupport));
        setPagingProvider(spring.getBean(DatabaseBackedPagingProvider.class));

        registerInterceptor(spring.getBean(BearerTokenAuthenticationInterceptor.class));

        RequestValidatingInterceptor validation = new RequestValidatingInterceptor();
        validation.addValidatorModule(new FhirInstanceValidator(validationSupport));
        validation.setFailOnSeverity(ResultSeverityEnum.ERROR);
        validation.setAddResponseHeaderOnSeverity(null);
        validation.setAddResponseOutcomeHeaderOnSeverity(null);
        registerInterceptor(validation);
    }
}
