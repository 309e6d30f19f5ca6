package org.phrcloud.benchmark.baseline;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.provider.IJpaSystemProvider;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import jakarta.servlet.ServletException;
import org.phrcloud.identity.token.AccessTokenVerifier;
import org.phrcloud.identity.token.InvalidAccessTokenException;
import org.springframework.context.ApplicationContext;
import org.springframework.web.context.support.WebApplicationContextUtils;

/**
 * The load benchmark's baseline FHIR R4 endpoint ({@code /fhir/*} of the {@code baseline} WAR): HAPI FHIR JPA's own
 * resource providers, system provider, CapabilityStatement and paging on the platform's storage configuration, with one
 * interceptor: a request without a valid access token of the realm is answered 401 (the token is verified as the
 * platform verifies it: signature against the realm's JWKS, issuer, audience, expiry). No roles, consent, compartments,
 * validation, ledger or audit: what "plain HAPI FHIR" costs on this machine, so the platform's figures can be given
 * as ratios to it. Only the load benchmark deploys it, on a Payara domain of its own.
 */
public class BaselineFhirServer extends RestfulServer {
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
        setServerConformanceProvider(new JpaCapabilityStatementProvider(this, systemDao, spring.getBean(JpaStorageSettings.class),
                spring.getBean(ISearchParamRegistry.class), spring.getBean(IValidationSupport.class)));
        setPagingProvider(spring.getBean(DatabaseBackedPagingProvider.class));
        registerInterceptor(new TokenCheck(spring.getBean(AccessTokenVerifier.class)));
    }

    /** 401 for any request but {@code metadata} without a valid bearer token. */
    public static final class TokenCheck {
        private final AccessTokenVerifier verifier;

        TokenCheck(AccessTokenVerifier verifier) {
            this.verifier = verifier;
        }

        @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
        public void check(RequestDetails request) {
            if ("metadata".equals(request.getRequestPath())) {
                return;
            }
            String header = request.getHeader("Authorization");
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new AuthenticationException("a bearer token is required");
            }
            try {
                verifier.verify(header.substring(7).trim());
            } catch (InvalidAccessTokenException e) {
                throw new AuthenticationException("the bearer token is not valid");
            }
        }
    }
}
