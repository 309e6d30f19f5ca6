package org.phrcloud.standards.fhir.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import org.phrcloud.consent.policy.FhirAccessPolicy;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.token.AccessTokenVerifier;
import org.phrcloud.standards.fhir.identity.PatientIdentityInterceptor;
import org.phrcloud.standards.fhir.security.BearerTokenAuthenticationInterceptor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * The FHIR storage of layer 3: HAPI FHIR JPA (R4) on the platform database ({@link FhirJpaConfig}: the pool, the
 * entity manager, Spring resource-local transactions) and, on top of it, the FHIR request hooks of layer 3: the
 * bearer-token authentication, the master patient index hook, the directory resources' unique identifiers and the
 * operator's terminology.
 */
@Configuration
@Import(FhirJpaConfig.class)
public class FhirStorageConfig {
    /**
     * The operator's local terminology (CodeSystems, ConceptMaps, ValueSets), loaded at start from {@code phr.terminology.dir}
     * (PHR_TERMINOLOGY_DIR) when it is set; a file that does not load stops the start (PHR-TERM-0001).
     */
    @Bean
    public org.phrcloud.standards.fhir.terminology.TerminologyLoader terminologyLoader(DaoRegistry daoRegistry, FhirContext fhirContext,
            Environment environment) {
        org.phrcloud.standards.fhir.terminology.TerminologyLoader loader =
                new org.phrcloud.standards.fhir.terminology.TerminologyLoader(daoRegistry, fhirContext);
        String directory = environment.getProperty("phr.terminology.dir");
        if (directory != null && !directory.isBlank()) {
            loader.load(java.nio.file.Path.of(directory));
        }
        return loader;
    }

    /** Unique business identifiers of directory resources ({@link DirectoryIdentifiers}), ensured at start. */
    @Bean
    public Object directoryIdentifiers(DaoRegistry daoRegistry, ca.uhn.fhir.rest.server.util.ISearchParamRegistry registry) {
        DirectoryIdentifiers.ensure(daoRegistry, registry);
        return DirectoryIdentifiers.TYPES;
    }

    /** Storage interceptors go to HAPI's own interceptor service, so they run for every write path. */
    @Bean
    public PatientIdentityInterceptor patientIdentityInterceptor(MasterPatientIndex mpi, IInterceptorService interceptors) {
        PatientIdentityInterceptor interceptor = new PatientIdentityInterceptor(mpi);
        interceptors.registerInterceptor(interceptor);
        return interceptor;
    }

    @Bean
    public BearerTokenAuthenticationInterceptor bearerTokenAuthenticationInterceptor(AccessTokenVerifier verifier,
            org.springframework.beans.factory.ObjectProvider<org.phrcloud.core.federation.FederatedCallers> federation) {
        return new BearerTokenAuthenticationInterceptor(verifier, new FhirAccessPolicy(), federation.getIfAvailable());
    }
}
