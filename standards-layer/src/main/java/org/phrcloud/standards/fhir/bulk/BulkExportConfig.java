package org.phrcloud.standards.fhir.bulk;

import org.phrcloud.audit.Auditor;
import org.phrcloud.consent.ConsentService;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.standards.fhir.security.BearerTokenAuthenticationInterceptor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.time.Clock;

/** Bulk Data export: its tables on the FHIR database, the jobs, and the HTTP side the FHIR servlet delegates to. */
@Configuration
public class BulkExportConfig {
    @Bean
    public BulkExportJobs bulkExportJobs(DataSource dataSource) {
        BulkExportJobs.migrate(dataSource);
        return new BulkExportJobs(dataSource);
    }

    @Bean(destroyMethod = "close")
    public BulkExport bulkExport(BulkExportJobs jobs, MasterPatientIndex mpi, ConsentService consents, Auditor auditor,
                                 org.springframework.beans.factory.ObjectProvider<BulkExport.ResearchData> research) {
        return new BulkExport(jobs, mpi, consents::grantsInForce, auditor, Clock.systemUTC(), research.getIfAvailable());
    }

    @Bean
    public BulkExportEndpoint bulkExportEndpoint(BulkExport export, BearerTokenAuthenticationInterceptor authentication) {
        return new BulkExportEndpoint(export, authentication);
    }
}
