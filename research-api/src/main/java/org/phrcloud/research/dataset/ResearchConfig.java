package org.phrcloud.research.dataset;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.phrcloud.audit.Auditor;
import org.phrcloud.consent.ConsentService;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Research data sets: their index and the job that extracts, anonymizes, checks and writes them.
 */
@Configuration
public class ResearchConfig {
    /** Research data sets' table (Flyway {@code db/research}). */
    @Bean
    public DataSetIndex researchDataSetIndex(DataSource dataSource) {
        DataSetIndex.migrate(dataSource);
        return new DataSetIndex(dataSource);
    }

    /**
     * Research data sets (/api/research); each released data set gets a folder under {@code phr.research.dir}
     * (PHR_RESEARCH_DIR, default {@code <instance root>/phr-data/research}).
     */
    @Bean(destroyMethod = "close")
    public ResearchDataSets researchDataSets(FhirContext fhirContext, DaoRegistry daoRegistry,
            ca.uhn.fhir.jpa.searchparam.MatchUrlService matchUrlService, MasterPatientIndex mpi, ConsentService consents,
            DataSetIndex index, Auditor auditor, Environment environment, org.phrcloud.database.Leases leases) {
        String instanceRoot = environment.getProperty("com.sun.aas.instanceRoot", System.getProperty("java.io.tmpdir"));
        java.nio.file.Path folder = java.nio.file.Path.of(environment.getProperty("phr.research.dir", instanceRoot + "/phr-data/research"));
        return new ResearchDataSets(fhirContext,
                new Extraction(fhirContext, daoRegistry, matchUrlService, mpi), consents, index, auditor,
                folder, Clock.systemUTC(), leases.replica());
    }
}
