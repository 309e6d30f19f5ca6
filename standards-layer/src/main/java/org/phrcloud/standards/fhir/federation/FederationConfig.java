package org.phrcloud.standards.fhir.federation;

import org.phrcloud.connector.ClientAssertion;
import org.phrcloud.connector.FederationClient;
import org.phrcloud.connector.NetworkRegistry;
import org.phrcloud.core.config.PlatformSettings;
import org.phrcloud.core.federation.FederatedCallers;
import org.phrcloud.core.ledger.BlockAuthor;
import org.phrcloud.identity.institution.InstitutionKeys;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

import javax.sql.DataSource;
import java.time.Clock;

/**
 * The federation's beans (ARCHITECTURE.md "Federation"). A deployment takes part in the federation when it has a
 * chain: its institution is the chain account it anchors with ({@code phr.chain.sender.key}), admitted with its
 * endpoint by the network's operator; its JWK Set is published on chain by the anchoring schedule. Without a chain
 * every bean here is absent (null): other deployments' assertions are refused as any unknown token, and the
 * federation API answers 503.
 */
@Configuration
public class FederationConfig {

    /** This deployment's institution account as a CAIP-10 id; null without a chain. */
    public static String ownAccountId(PlatformSettings settings) {
        PlatformSettings.Chain chain = settings.chain();
        return chain == null ? null : ClientAssertion.accountId(chain.chainId(), Credentials.create(chain.senderKey()).getAddress());
    }

    @Bean(destroyMethod = "")
    public NetworkRegistry networkRegistry(PlatformSettings settings) {
        PlatformSettings.Chain chain = settings.chain();
        if (chain == null) {
            return null;
        }
        Web3j web3j = Web3j.build(new HttpService(chain.rpcUrl()));
        return new NetworkRegistry(web3j, chain.chainId(), chain.anchorContract(), Clock.systemUTC());
    }

    @Bean
    public FederatedCallers federatedCallers(PlatformSettings settings, DataSource dataSource,
                                             org.springframework.beans.factory.ObjectProvider<NetworkRegistry> registry) {
        NetworkRegistry network = registry.getIfAvailable();
        return network == null ? null : new FederatedCallers(dataSource, network, ownAccountId(settings), Clock.systemUTC());
    }

    /** Calls to other deployments, signed with this institution's current key; null without a chain. */
    @Bean
    public FederationClient federationClient(PlatformSettings settings, BlockAuthor author,
                                             InstitutionKeys keys, org.springframework.beans.factory.ObjectProvider<NetworkRegistry> registry) {
        NetworkRegistry network = registry.getIfAvailable();
        if (network == null) {
            return null;
        }
        String account = ownAccountId(settings);
        return new FederationClient(network, () -> {
            String keyId = author.keyId();
            String endpoint = network.institution(account, false).map(NetworkRegistry.Institution::endpoint).orElse("");
            return new FederationClient.Signer(keys.signingKey(keyId), keyId, account, endpoint);
        }, Clock.systemUTC());
    }

    /** Blocks other institutions append to chains kept here; null without a chain. */
    @Bean
    public ForeignBlocks foreignBlocks(PlatformSettings settings, org.phrcloud.ledger.store.JdbcChainStore chains,
                                       org.phrcloud.consent.ConsentIndex consents,
                                       org.springframework.beans.factory.ObjectProvider<NetworkRegistry> registry) {
        NetworkRegistry network = registry.getIfAvailable();
        return network == null ? null : new ForeignBlocks(chains, consents, network, ownAccountId(settings), Clock.systemUTC());
    }

    /** Records kept here for patients of other deployments; null without a chain. */
    @Bean
    public RecordsForOtherHomes recordsForOtherHomes(PlatformSettings settings, ca.uhn.fhir.context.FhirContext fhirContext,
                                                     org.phrcloud.ledger.store.JdbcChainStore chains,
                                                     ca.uhn.fhir.jpa.api.dao.DaoRegistry daos,
                                                     org.springframework.orm.jpa.JpaTransactionManager transactionManager,
                                                     ca.uhn.fhir.context.support.IValidationSupport validationSupport,
                                                     org.springframework.beans.factory.ObjectProvider<NetworkRegistry> registry,
                                                     org.springframework.beans.factory.ObjectProvider<FederationClient> client) {
        NetworkRegistry network = registry.getIfAvailable();
        return network == null ? null : new RecordsForOtherHomes(fhirContext, daos, transactionManager, validationSupport, network,
                client.getObject(), ownAccountId(settings), chains);
    }

    /** Records that chains kept here name at other deployments, fetched and checked; null without a chain. */
    @Bean
    public RecordsKeptElsewhere recordsKeptElsewhere(org.phrcloud.standards.fhir.ledger.LedgerVerifier records,
                                                     org.springframework.beans.factory.ObjectProvider<NetworkRegistry> registry,
                                                     org.springframework.beans.factory.ObjectProvider<FederationClient> client) {
        NetworkRegistry network = registry.getIfAvailable();
        return network == null ? null : new RecordsKeptElsewhere(records, network, client.getObject());
    }

    /** Moving patients' homes to and from this deployment; null without a chain. */
    @Bean
    public ChainMoves chainMoves(PlatformSettings settings, org.phrcloud.ledger.store.JdbcChainStore chains,
                                 org.phrcloud.ledger.anchor.ResourceProofs proofs, org.phrcloud.identity.mpi.MasterPatientIndex mpi,
                                 org.springframework.orm.jpa.JpaTransactionManager transactionManager,
                                 org.springframework.beans.factory.ObjectProvider<NetworkRegistry> registry,
                                 org.springframework.beans.factory.ObjectProvider<FederationClient> client) {
        NetworkRegistry network = registry.getIfAvailable();
        if (network == null) {
            return null;
        }
        return new ChainMoves(chains, proofs, mpi, network, client.getObject(), new org.phrcloud.ledger.verify.OnChainAnchors(network.web3j()),
                transactionManager, ownAccountId(settings), settings.institution(), Clock.systemUTC());
    }
}
