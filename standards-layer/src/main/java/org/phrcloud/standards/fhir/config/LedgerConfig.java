package org.phrcloud.standards.fhir.config;

import org.phrcloud.core.config.PlatformSettings;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.phrcloud.core.ledger.BlockAuthor;
import org.phrcloud.identity.institution.InstitutionKeys;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.ledger.anchor.Anchorer;
import org.phrcloud.ledger.anchor.AnchoringSchedule;
import org.phrcloud.ledger.anchor.ResourceProofs;
import org.phrcloud.ledger.store.JdbcChainStore;
import org.phrcloud.standards.fhir.ledger.LedgerInterceptor;
import org.phrcloud.standards.fhir.ledger.LedgerVerifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * Layer 2 on the platform database: the per-patient chains, the ledger hook on FHIR writes, proofs, verification and
 * anchoring.
 */
@Configuration
public class LedgerConfig {
    /** The per-patient chains on the FHIR database, written on HAPI's connection inside its transaction. */
    @Bean
    public JdbcChainStore chainStore(DataSource dataSource) {
        JdbcChainStore.migrate(dataSource);
        return new JdbcChainStore(new TransactionAwareDataSourceProxy(dataSource), Clock.systemUTC());
    }

    @Bean
    public BlockAuthor blockAuthor(PlatformSettings settings, InstitutionKeys keys) {
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

    @Bean
    public ResourceProofs resourceProofs(DataSource dataSource, JdbcChainStore chains) {
        return new ResourceProofs(dataSource, chains);
    }

    @Bean
    public LedgerVerifier ledgerVerifier(FhirContext fhirContext, DaoRegistry daoRegistry, JdbcChainStore chains, InstitutionKeys keys,
                                         org.phrcloud.core.config.PlatformSettings settings,
                                         org.springframework.beans.factory.ObjectProvider<org.phrcloud.connector.NetworkRegistry> network) {
        return new LedgerVerifier(fhirContext, daoRegistry, chains, keys, network.getIfAvailable(),
                org.phrcloud.standards.fhir.federation.FederationConfig.ownAccountId(settings));
    }

    /**
     * How long the anchoring lease lasts unrenewed (at least three intervals): after a replica dies, another anchors
     * within this plus one interval.
     */
    static final Duration ANCHORING_LEASE = Duration.ofSeconds(30);

    /**
     * Anchoring on the configured chain (ARCHITECTURE.md write path step 5), one round per interval, in the replica
     * holding the lease {@code anchoring}; absent (null) without a chain, and the blocks wait in the outbox.
     */
    @Bean(destroyMethod = "close")
    public AnchoringSchedule anchoringSchedule(PlatformSettings settings, DataSource dataSource, JdbcChainStore migrated,
                                               org.phrcloud.database.Leases leases, InstitutionKeys keys) {
        PlatformSettings.Chain chain = settings.chain();
        if (chain == null) {
            return null;
        }
        Web3j web3j = Web3j.build(new HttpService(chain.rpcUrl()));
        Duration interval = Duration.ofSeconds(Math.max(1, chain.intervalSeconds()));
        // one anchoring replica at a time (one sender, one nonce sequence): the lease outlasts a round's receipt wait
        org.phrcloud.database.Lease lease = leases.lease("anchoring",
                ANCHORING_LEASE.compareTo(interval.multipliedBy(3)) > 0 ? ANCHORING_LEASE : interval.multipliedBy(3));
        Anchorer anchorer = new Anchorer(dataSource, web3j, Credentials.create(chain.senderKey()), chain.chainId(),
                chain.anchorContract(), Clock.systemUTC(), interval, chain.maxHeads(), lease);
        // the institution's JWK Set on chain, where other deployments find the keys of its blocks and assertions
        return new AnchoringSchedule(anchorer, interval, () -> keys.jwkSet(settings.institution()).toString());
    }
}
