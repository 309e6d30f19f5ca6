package org.phrcloud.server;

import org.phrcloud.audit.AuditConfig;
import org.phrcloud.consent.ConsentConfig;
import org.phrcloud.core.config.PlatformConfig;
import org.phrcloud.research.dataset.ResearchConfig;
import org.phrcloud.standards.fhir.config.FhirStorageConfig;
import org.phrcloud.standards.fhir.config.LedgerConfig;
import org.phrcloud.standards.hl7v2.Hl7v2Config;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The one place that assembles the server's Spring context (web.xml {@code contextConfigLocation}): each feature
 * brings its own configuration, and this class only lists them. The FHIR servlet ({@link PhrFhirServer}) and the
 * JSON APIs ({@link PhrApiApplication}) take their beans from this context.
 */
@Configuration
@Import({PlatformConfig.class, FhirStorageConfig.class, LedgerConfig.class, AuditConfig.class, ConsentConfig.class,
        Hl7v2Config.class, ResearchConfig.class, org.phrcloud.standards.fhir.federation.FederationConfig.class,
        org.phrcloud.standards.fhir.bulk.BulkExportConfig.class})
public class PhrServerConfig {
    /** A researcher's Bulk Data {@code Group/[study]/$export} reads their released research data set (research-api). */
    @org.springframework.context.annotation.Bean
    public org.phrcloud.standards.fhir.bulk.BulkExport.ResearchData bulkExportResearchData(
            org.phrcloud.research.dataset.ResearchDataSets dataSets) {
        return dataSets::releasedNdjson;
    }
}
