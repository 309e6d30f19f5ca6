package org.phrcloud.consent;

import org.phrcloud.core.config.PlatformSettings;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.phrcloud.audit.Auditor;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.orm.jpa.JpaTransactionManager;

/**
 * Consent and access: the consent index and the consent service (requests, decisions, emergency access, custodians,
 * research studies).
 */
@Configuration
public class ConsentConfig {
    /** The consent index on the FHIR database, written on HAPI's connection inside its transaction. */
    @Bean
    public ConsentIndex consentIndex(DataSource dataSource) {
        ConsentIndex.migrate(dataSource);
        return new ConsentIndex(new TransactionAwareDataSourceProxy(dataSource));
    }

    @Bean
    public ConsentService consentService(FhirContext fhirContext, DaoRegistry daoRegistry, JpaTransactionManager transactionManager,
                                         ConsentIndex index, MasterPatientIndex mpi, Environment environment,
                                         ca.uhn.fhir.jpa.searchparam.MatchUrlService matchUrlService, PlatformSettings settings,
                                         Auditor auditor) {
        long hours = Long.parseLong(environment.getProperty("phr.emergency.hours", "24"));
        if (hours < 1 || hours > 168) {
            throw new IllegalStateException("PHR-FHIR-0004: phr.emergency.hours (PHR_EMERGENCY_HOURS) is 1 to 168");
        }
        return new ConsentService(fhirContext, daoRegistry, transactionManager, index, mpi, Clock.systemUTC(), java.time.Duration.ofHours(hours),
                matchUrlService, settings.institution(), auditor);
    }
}
