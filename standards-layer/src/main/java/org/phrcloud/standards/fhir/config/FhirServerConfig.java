package org.phrcloud.standards.fhir.config;

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
import org.apache.commons.dbcp2.BasicDataSource;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import org.phrcloud.identity.demographics.BlindIndex;
import org.phrcloud.identity.demographics.EnvelopeCipher;
import org.phrcloud.identity.demographics.MasterKeyRing;
import org.phrcloud.identity.demographics.MasterKeyRotation;
import org.phrcloud.identity.institution.InstitutionKeys;
import org.phrcloud.identity.keycloak.KeycloakDirectory;
import org.phrcloud.identity.keycloak.RealmProvisioner;
import org.phrcloud.identity.mpi.JdbcMasterPatientIndex;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.standards.audit.AuditLog;
import org.phrcloud.standards.audit.AuditSealer;
import org.phrcloud.standards.audit.AuditWriteInterceptor;
import org.phrcloud.standards.audit.Auditor;
import org.phrcloud.standards.consent.ConsentIndex;
import org.phrcloud.standards.consent.ConsentService;
import org.phrcloud.identity.token.AccessTokenVerifier;
import org.phrcloud.ledger.anchor.Anchorer;
import org.phrcloud.ledger.anchor.AnchoringSchedule;
import org.phrcloud.ledger.anchor.ResourceProofs;
import org.phrcloud.ledger.store.JdbcChainStore;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.phrcloud.standards.fhir.identity.PatientIdentityInterceptor;
import org.phrcloud.standards.fhir.ledger.BlockAuthor;
import org.phrcloud.standards.fhir.ledger.LedgerInterceptor;
import org.phrcloud.standards.fhir.ledger.LedgerVerifier;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.phrcloud.standards.fhir.security.BearerTokenAuthenticationInterceptor;
import org.phrcloud.standards.fhir.security.FhirAccessPolicy;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.transaction.annotation.EnableTransactionManagement;

import jakarta.persistence.EntityManagerFactory;
import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;

/**
 * HAPI FHIR JPA (R4) in plain Spring, without Spring Boot (FINDINGS.md, "HAPI FHIR JPA inside an EAR").
 * Transactions are Spring resource-local ({@link JpaTransactionManager}), not JTA: whatever must commit
 * with a FHIR write is written inside HAPI's transaction through storage pointcuts.
 */
@Configuration
@EnableTransactionManagement
@Import({JpaR4Config.class, HapiJpaConfig.class, JpaBatch2Config.class, Batch2JobsConfig.class,
        SubscriptionChannelConfig.class, SubscriptionSubmitterConfig.class, ThreadPoolFactoryConfig.class})
public class FhirServerConfig {

    @Bean
    public FhirServerSettings fhirServerSettings(Environment environment) {
        return FhirServerSettings.from(environment);
    }

    @Bean(destroyMethod = "close")
    public BasicDataSource dataSource(FhirServerSettings settings) {
        BasicDataSource ds = new BasicDataSource();
        ds.setDriverClassName(settings.isPostgres() ? "org.postgresql.Driver" : "org.h2.Driver");
        ds.setUrl(settings.dbUrl());
        ds.setUsername(settings.dbUsername());
        ds.setPassword(settings.dbPassword());
        ds.setMaxTotal(20);
        return ds;
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
            FhirServerSettings settings) {
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

    /**
     * The master patient index on the FHIR database. Its connections come through a
     * {@link TransactionAwareDataSourceProxy}, so inside HAPI's transaction (storage pointcuts) it writes on
     * HAPI's connection and commits with it.
     */
    @Bean
    public MasterPatientIndex masterPatientIndex(DataSource dataSource, FhirServerSettings settings) {
        JdbcMasterPatientIndex.migrate(dataSource);
        return new JdbcMasterPatientIndex(new TransactionAwareDataSourceProxy(dataSource),
                new EnvelopeCipher(MasterKeyRing.parse(settings.masterKeys(), settings.masterKeyId())),
                new BlindIndex(Base64.getDecoder().decode(settings.blindIndexKey())), Clock.systemUTC());
    }

    @Bean
    public InstitutionKeys institutionKeys(DataSource dataSource, FhirServerSettings settings, MasterPatientIndex migrated) {
        return new InstitutionKeys(dataSource, new EnvelopeCipher(MasterKeyRing.parse(settings.masterKeys(), settings.masterKeyId())),
                Clock.systemUTC());
    }

    /** Re-wraps sealed records under the current master key (admin API); its ring is the configured one. */
    @Bean
    public MasterKeyRotation masterKeyRotation(DataSource dataSource, FhirServerSettings settings, MasterPatientIndex migrated) {
        return new MasterKeyRotation(dataSource, MasterKeyRing.parse(settings.masterKeys(), settings.masterKeyId()));
    }

    /** The per-patient chains on the FHIR database, written on HAPI's connection inside its transaction. */
    @Bean
    public JdbcChainStore chainStore(DataSource dataSource) {
        JdbcChainStore.migrate(dataSource);
        return new JdbcChainStore(new TransactionAwareDataSourceProxy(dataSource), Clock.systemUTC());
    }

    @Bean
    public BlockAuthor blockAuthor(FhirServerSettings settings, InstitutionKeys keys) {
        return new BlockAuthor(settings.institution(), keys);
    }

    /** After the master patient index on the same pointcuts (its hook order is higher). */
    @Bean
    public LedgerInterceptor ledgerInterceptor(FhirContext fhirContext, MasterPatientIndex mpi, JdbcChainStore chains,
                                               BlockAuthor author, IInterceptorService interceptors) {
        LedgerInterceptor interceptor = new LedgerInterceptor(fhirContext, mpi, chains, author);
        interceptors.registerInterceptor(interceptor);
        return interceptor;
    }

    /** The consent index on the FHIR database, written on HAPI's connection inside its transaction. */
    @Bean
    public ConsentIndex consentIndex(DataSource dataSource) {
        ConsentIndex.migrate(dataSource);
        return new ConsentIndex(new TransactionAwareDataSourceProxy(dataSource));
    }

    @Bean
    public ConsentService consentService(FhirContext fhirContext, DaoRegistry daoRegistry, JpaTransactionManager transactionManager,
                                         ConsentIndex index, MasterPatientIndex mpi, Environment environment,
                                         ca.uhn.fhir.jpa.searchparam.MatchUrlService matchUrlService, FhirServerSettings settings,
                                         Auditor auditor) {
        long hours = Long.parseLong(environment.getProperty("phr.emergency.hours", "24"));
        if (hours < 1 || hours > 168) {
            throw new IllegalStateException("PHR-FHIR-0004: phr.emergency.hours (PHR_EMERGENCY_HOURS) is 1 to 168");
        }
        return new ConsentService(fhirContext, daoRegistry, transactionManager, index, mpi, Clock.systemUTC(), java.time.Duration.ofHours(hours),
                matchUrlService, settings.institution(), auditor);
    }

    /** Research data sets' table (Flyway {@code db/research}). */
    @Bean
    public org.phrcloud.standards.research.DataSetIndex researchDataSetIndex(DataSource dataSource) {
        org.phrcloud.standards.research.DataSetIndex.migrate(dataSource);
        return new org.phrcloud.standards.research.DataSetIndex(dataSource);
    }

    /**
     * Research data sets (/api/research); each released data set gets a folder under {@code phr.research.dir}
     * (PHR_RESEARCH_DIR, default {@code <instance root>/phr-data/research}).
     */
    @Bean(destroyMethod = "close")
    public org.phrcloud.standards.research.ResearchDataSets researchDataSets(FhirContext fhirContext, DaoRegistry daoRegistry,
            ca.uhn.fhir.jpa.searchparam.MatchUrlService matchUrlService, MasterPatientIndex mpi, ConsentService consents,
            org.phrcloud.standards.research.DataSetIndex index, Auditor auditor, Environment environment) {
        String instanceRoot = environment.getProperty("com.sun.aas.instanceRoot", System.getProperty("java.io.tmpdir"));
        java.nio.file.Path folder = java.nio.file.Path.of(environment.getProperty("phr.research.dir", instanceRoot + "/phr-data/research"));
        return new org.phrcloud.standards.research.ResearchDataSets(fhirContext,
                new org.phrcloud.standards.research.Extraction(fhirContext, daoRegistry, matchUrlService, mpi), consents, index, auditor,
                folder, Clock.systemUTC());
    }

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

    /** Which HL7 v2 messages were processed (exactly once), on the FHIR database inside the message's transaction. */
    @Bean
    public org.phrcloud.standards.hl7v2.MessageLog hl7v2MessageLog(DataSource dataSource) {
        org.phrcloud.standards.hl7v2.MessageLog.migrate(dataSource);
        return new org.phrcloud.standards.hl7v2.MessageLog(new TransactionAwareDataSourceProxy(dataSource));
    }

    @Bean
    public org.phrcloud.standards.hl7v2.Hl7v2Ingestion hl7v2Ingestion(IFhirSystemDao<org.hl7.fhir.r4.model.Bundle, ?> systemDao,
            DaoRegistry daoRegistry, JpaTransactionManager transactionManager, org.phrcloud.standards.hl7v2.MessageLog log,
            MasterPatientIndex mpi, Auditor auditor) {
        return new org.phrcloud.standards.hl7v2.Hl7v2Ingestion(systemDao, daoRegistry, transactionManager, log, mpi, Clock.systemUTC(), auditor);
    }

    /**
     * The MLLP listener on {@code phr.mllp.bind} (PHR_MLLP_BIND, default 127.0.0.1) and {@code phr.mllp.port}
     * (PHR_MLLP_PORT, default 2575; 0 turns it off). Senders are the registered institutions (MSH-4).
     */
    @Bean(destroyMethod = "close")
    public org.phrcloud.standards.hl7v2.MllpListener mllpListener(org.phrcloud.standards.hl7v2.Hl7v2Ingestion ingestion,
            InstitutionKeys institutionKeys, Environment environment) {
        int port = Integer.parseInt(environment.getProperty("phr.mllp.port", "2575"));
        if (port == 0) {
            return null;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalStateException("PHR-FHIR-0005: phr.mllp.port (PHR_MLLP_PORT) is 0 (off) or a TCP port");
        }
        return new org.phrcloud.standards.hl7v2.MllpListener(ingestion, environment.getProperty("phr.mllp.bind", "127.0.0.1"), port,
                institution -> institutionKeys.current(institution).isPresent());
    }

    /** The audit log on the FHIR database, written on HAPI's connection inside its transaction. */
    @Bean
    public AuditLog auditLog(DataSource dataSource, FhirContext fhirContext) {
        AuditLog.migrate(dataSource);
        return new AuditLog(new TransactionAwareDataSourceProxy(dataSource), fhirContext);
    }

    @Bean
    public Auditor auditor(AuditLog log, FhirContext fhirContext, FhirServerSettings settings, DaoRegistry daoRegistry) {
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

    /** Seals the audit log onto the audit chain every 2 seconds. */
    @Bean(destroyMethod = "close")
    public AuditSealer auditSealer(AuditLog log, JdbcChainStore chains, BlockAuthor author, JpaTransactionManager transactionManager) {
        return new AuditSealer(log, chains, author, transactionManager, 2000);
    }

    @Bean
    public ResourceProofs resourceProofs(DataSource dataSource, JdbcChainStore chains) {
        return new ResourceProofs(dataSource, chains);
    }

    @Bean
    public LedgerVerifier ledgerVerifier(FhirContext fhirContext, DaoRegistry daoRegistry, JdbcChainStore chains, InstitutionKeys keys) {
        return new LedgerVerifier(fhirContext, daoRegistry, chains, keys);
    }

    /**
     * Anchoring on the configured chain (ARCHITECTURE.md write path step 5), one round per interval; absent (null)
     * without a chain, and the blocks wait in the outbox.
     */
    @Bean(destroyMethod = "close")
    public AnchoringSchedule anchoringSchedule(FhirServerSettings settings, DataSource dataSource, JdbcChainStore migrated) {
        FhirServerSettings.Chain chain = settings.chain();
        if (chain == null) {
            return null;
        }
        Web3j web3j = Web3j.build(new HttpService(chain.rpcUrl()));
        Anchorer anchorer = new Anchorer(dataSource, web3j, Credentials.create(chain.senderKey()), chain.chainId(),
                chain.anchorContract(), Clock.systemUTC(), Duration.ofSeconds(Math.max(1, chain.intervalSeconds())), chain.maxHeads());
        return new AnchoringSchedule(anchorer, Duration.ofSeconds(Math.max(1, chain.intervalSeconds())));
    }

    /** Account administration in Keycloak; absent (null) when {@code phr.directory.client.secret} is not configured. */
    @Bean
    public KeycloakDirectory keycloakDirectory(FhirServerSettings settings) {
        return settings.directoryClientSecret() == null ? null
                : new KeycloakDirectory(settings.issuer(), RealmProvisioner.DIRECTORY_CLIENT, settings.directoryClientSecret());
    }

    /** Storage interceptors go to HAPI's own interceptor service, so they run for every write path. */
    @Bean
    public PatientIdentityInterceptor patientIdentityInterceptor(MasterPatientIndex mpi, IInterceptorService interceptors) {
        PatientIdentityInterceptor interceptor = new PatientIdentityInterceptor(mpi);
        interceptors.registerInterceptor(interceptor);
        return interceptor;
    }

    @Bean
    public AccessTokenVerifier accessTokenVerifier(FhirServerSettings settings) {
        return new AccessTokenVerifier(AccessTokenVerifier.Settings.forKeycloakRealm(settings.issuer(), settings.audience()));
    }

    @Bean
    public BearerTokenAuthenticationInterceptor bearerTokenAuthenticationInterceptor(AccessTokenVerifier verifier) {
        return new BearerTokenAuthenticationInterceptor(verifier, new FhirAccessPolicy());
    }
}
