package org.phrcloud.audit;

import org.phrcloud.core.config.PlatformSettings;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.phrcloud.core.ledger.BlockAuthor;
import org.phrcloud.ledger.store.JdbcChainStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.orm.jpa.JpaTransactionManager;

/**
 * Audit: the audit log, the AuditEvent of every request and write, and the sealing of the log onto its chain.
 */
@Configuration
public class AuditConfig {
    /** The audit log on the FHIR database, written on HAPI's connection inside its transaction. */
    @Bean
    public AuditLog auditLog(DataSource dataSource, FhirContext fhirContext) {
        AuditLog.migrate(dataSource);
        return new AuditLog(new TransactionAwareDataSourceProxy(dataSource), fhirContext);
    }

    @Bean
    public Auditor auditor(AuditLog log, FhirContext fhirContext, PlatformSettings settings, DaoRegistry daoRegistry) {
        return new Auditor(log, fhirContext, settings.institution(), Clock.systemUTC(),
                id -> daoRegistry.getResourceDao(id.getResourceType()).read(id, new ca.uhn.fhir.rest.api.server.SystemRequestDetails()));
    }

    /** The AuditEvent of every write, in the write's transaction: on HAPI's own interceptor service, after the ledger. */
    @Bean
    public AuditWriteInterceptor auditWriteInterceptor(Auditor auditor, IInterceptorService interceptors) {
        AuditWriteInterceptor interceptor = new AuditWriteInterceptor(auditor);
        interceptors.registerInterceptor(interceptor);
        return interceptor;
    }

    /**
     * Seals the audit log onto the audit chain every 2 seconds, in the one replica holding the lease
     * {@code audit-sealing} (30 s: after a replica dies, another seals within 32 s).
     */
    @Bean(destroyMethod = "close")
    public AuditSealer auditSealer(AuditLog log, JdbcChainStore chains, BlockAuthor author, JpaTransactionManager transactionManager,
                                   org.phrcloud.database.Leases leases) {
        return new AuditSealer(log, chains, author, transactionManager, 2000, leases.lease("audit-sealing", java.time.Duration.ofSeconds(30)));
    }
}
