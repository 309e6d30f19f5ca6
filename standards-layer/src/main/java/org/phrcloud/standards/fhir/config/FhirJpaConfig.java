package org.phrcloud.standards.fhir.config;

import org.phrcloud.core.config.PlatformSettings;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.IDaoRegistry;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.config.util.ResourceCountCacheUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;
import ca.uhn.fhir.jpa.provider.DaoRegistryResourceSupportedSvc;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.jpa.search.IStaleSearchDeletingSvc;
import ca.uhn.fhir.jpa.search.StaleSearchDeletingSvcImpl;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.jpa.subscription.submit.config.SubscriptionSubmitterConfig;
import ca.uhn.fhir.jpa.util.ResourceCountCache;
import ca.uhn.fhir.rest.api.IResourceSupportedSvc;
import jakarta.persistence.EntityManagerFactory;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.transaction.annotation.EnableTransactionManagement;

/**
 * HAPI FHIR JPA (R4) storage in plain Spring, without Spring Boot, on the platform database: the pool, HAPI's storage
 * settings, the entity manager and the transaction manager, paging. Nothing of the PHR layers: {@link FhirStorageConfig}
 * adds those, and the load benchmark's baseline server (module {@code benchmark}) runs this configuration alone, so the
 * two differ only by the PHR layers. Transactions are Spring resource-local ({@link JpaTransactionManager}), not JTA:
 * whatever must commit with a FHIR write is written inside HAPI's transaction through storage pointcuts.
 */
@Configuration
@EnableTransactionManagement
@Import({JpaR4Config.class, HapiJpaConfig.class, JpaBatch2Config.class, Batch2JobsConfig.class,
        SubscriptionChannelConfig.class, SubscriptionSubmitterConfig.class, ThreadPoolFactoryConfig.class})
public class FhirJpaConfig {
    /** Held from the pool's creation until the context has started: every schema change of the start runs under it. */
    private volatile org.phrcloud.database.MigrationLock migrationLock;

    /**
     * The pool. On PostgreSQL its first act is to wait for the {@link org.phrcloud.database.MigrationLock}: replicas
     * starting together create and upgrade the schema (HAPI FHIR's tables, every module's migrations) one after the
     * other; the lock is released once this context has started ({@link #schemaReady}) or when it fails (the pool's close).
     */
    @Bean(destroyMethod = "close")
    public BasicDataSource dataSource(PlatformSettings settings) throws java.sql.SQLException {
        BasicDataSource ds = new BasicDataSource() {
            @Override
            public synchronized void close() throws java.sql.SQLException {
                schemaReady();
                super.close();
            }
        };
        ds.setDriverClassName(settings.isPostgres() ? "org.postgresql.Driver" : "org.h2.Driver");
        ds.setUrl(settings.dbUrl());
        ds.setUsername(settings.dbUsername());
        ds.setPassword(settings.dbPassword());
        ds.setMaxTotal(20);
        migrationLock = org.phrcloud.database.MigrationLock.acquire(ds, settings.dbUrl());
        return ds;
    }

    /** Releases the migration lock: this replica's schema work is done (or it gave up). */
    @org.springframework.context.event.EventListener(org.springframework.context.event.ContextRefreshedEvent.class)
    public void schemaReady() throws java.sql.SQLException {
        org.phrcloud.database.MigrationLock lock = migrationLock;
        migrationLock = null;
        if (lock != null) {
            lock.close();
        }
    }

    @Bean
    public JpaStorageSettings storageSettings() {
        JpaStorageSettings s = new JpaStorageSettings();
        // ids come from the client for demo/migration loads (PUT Type/uuid); numeric ids stay server-assigned
        s.setResourceClientIdStrategy(JpaStorageSettings.ClientIdStrategyEnum.ALPHANUMERIC);
        s.setAllowExternalReferences(false);
        s.setAutoCreatePlaceholderReferenceTargets(false);
        s.setEnforceReferentialIntegrityOnWrite(true);
        s.setExpungeEnabled(false);
        s.setDeleteExpungeEnabled(false);
        s.setAllowMultipleDelete(false);
        // no Batch2 reindex jobs here: the platform's own SearchParameters (DirectoryIdentifiers) exist from the start
        s.setMarkResourcesForReindexingUponSearchParameterChange(false);
        return s;
    }

    @Bean
    public PartitionSettings partitionSettings() {
        return new PartitionSettings();
    }

    @Bean
    public SubscriptionSettings subscriptionSettings() {
        return new SubscriptionSettings();
    }

    @Primary
    @Bean
    public LocalContainerEntityManagerFactoryBean entityManagerFactory(ConfigurableListableBeanFactory beanFactory,
            FhirContext fhirContext, JpaStorageSettings storageSettings, DataSource dataSource,
            PlatformSettings settings) {
        LocalContainerEntityManagerFactoryBean emf =
                HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
        emf.setPersistenceUnitName("HAPI_PU");
        emf.setDataSource(dataSource);
        Properties jpa = new Properties();
        jpa.put("hibernate.dialect", settings.isPostgres()
                ? HapiFhirPostgresDialect.class.getName() : HapiFhirH2Dialect.class.getName());
        jpa.put("hibernate.hbm2ddl.auto", "update");
        jpa.put("hibernate.search.enabled", "false");
        jpa.put("hibernate.format_sql", "false");
        jpa.put("hibernate.show_sql", "false");
        jpa.put("hibernate.jdbc.batch_size", "20");
        jpa.put("hibernate.cache.use_query_cache", "false");
        jpa.put("hibernate.cache.use_second_level_cache", "false");
        jpa.put("hibernate.cache.use_structured_entries", "false");
        jpa.put("hibernate.cache.use_minimal_puts", "false");
        emf.setJpaProperties(jpa);
        return emf;
    }

    @Primary
    @Bean
    public JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
        JpaTransactionManager tm = new JpaTransactionManager();
        tm.setEntityManagerFactory(entityManagerFactory);
        return tm;
    }

    @Bean
    public IStaleSearchDeletingSvc staleSearchDeletingSvc() {
        return new StaleSearchDeletingSvcImpl();
    }

    @Bean
    public DatabaseBackedPagingProvider databaseBackedPagingProvider() {
        DatabaseBackedPagingProvider paging = new DatabaseBackedPagingProvider();
        paging.setDefaultPageSize(20);
        paging.setMaximumPageSize(200);
        return paging;
    }

    @Bean
    public IResourceSupportedSvc resourceSupportedSvc(IDaoRegistry daoRegistry) {
        return new DaoRegistryResourceSupportedSvc(daoRegistry);
    }

    @Bean(name = "myResourceCountsCache")
    public ResourceCountCache resourceCountsCache(IFhirSystemDao<?, ?> systemDao) {
        return ResourceCountCacheUtil.newResourceCountCache(systemDao);
    }
}
