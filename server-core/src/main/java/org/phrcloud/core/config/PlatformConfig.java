package org.phrcloud.core.config;

import java.time.Clock;
import java.util.Base64;
import javax.sql.DataSource;
import org.phrcloud.database.Lease;
import org.phrcloud.database.Leases;
import org.phrcloud.identity.demographics.BlindIndex;
import org.phrcloud.identity.demographics.EnvelopeCipher;
import org.phrcloud.identity.demographics.MasterKeyRing;
import org.phrcloud.identity.demographics.MasterKeyRotation;
import org.phrcloud.identity.institution.InstitutionKeys;
import org.phrcloud.identity.keycloak.KeycloakDirectory;
import org.phrcloud.identity.keycloak.RealmProvisioner;
import org.phrcloud.identity.mpi.JdbcMasterPatientIndex;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.token.AccessTokenVerifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

/**
 * The platform's settings and layer 1 on the platform database: master patient index, institution keys, master-key
 * rotation, the Keycloak directory and the access-token verifier.
 */
@Configuration
public class PlatformConfig {
    @Bean
    public PlatformSettings fhirServerSettings(Environment environment) {
        return PlatformSettings.from(environment);
    }

    /**
     * The master patient index on the FHIR database. Its connections come through a
     * {@link TransactionAwareDataSourceProxy}, so inside HAPI's transaction (storage pointcuts) it writes on
     * HAPI's connection and commits with it.
     */
    @Bean
    public MasterPatientIndex masterPatientIndex(DataSource dataSource, PlatformSettings settings) {
        JdbcMasterPatientIndex.migrate(dataSource);
        return new JdbcMasterPatientIndex(new TransactionAwareDataSourceProxy(dataSource),
                new EnvelopeCipher(MasterKeyRing.parse(settings.masterKeys(), settings.masterKeyId())),
                new BlindIndex(Base64.getDecoder().decode(settings.blindIndexKey())), Clock.systemUTC());
    }

    @Bean
    public InstitutionKeys institutionKeys(DataSource dataSource, PlatformSettings settings, MasterPatientIndex migrated) {
        return new InstitutionKeys(dataSource, new EnvelopeCipher(MasterKeyRing.parse(settings.masterKeys(), settings.masterKeyId())),
                Clock.systemUTC());
    }

    /** Re-wraps sealed records under the current master key (admin API); its ring is the configured one. */
    @Bean
    public MasterKeyRotation masterKeyRotation(DataSource dataSource, PlatformSettings settings, MasterPatientIndex migrated) {
        return new MasterKeyRotation(dataSource, MasterKeyRing.parse(settings.masterKeys(), settings.masterKeyId()));
    }

    /** Account administration in Keycloak; absent (null) when {@code phr.directory.client.secret} is not configured. */
    @Bean
    public KeycloakDirectory keycloakDirectory(PlatformSettings settings) {
        return settings.directoryClientSecret() == null ? null
                : new KeycloakDirectory(settings.issuer(), RealmProvisioner.DIRECTORY_CLIENT, settings.directoryClientSecret());
    }

    /**
     * The leases of background tasks that run in one replica at a time (anchoring, audit sealing), held under this
     * replica's id: host name and Payara instance root, the same across a restart.
     */
    @Bean
    public Leases leases(DataSource dataSource, Environment environment) {
        return new Leases(dataSource, Lease.replicaId(environment.getProperty("com.sun.aas.instanceRoot")), Clock.systemUTC());
    }

    @Bean
    public AccessTokenVerifier accessTokenVerifier(PlatformSettings settings) {
        return new AccessTokenVerifier(AccessTokenVerifier.Settings.forKeycloakRealm(settings.issuer(), settings.audience()));
    }
}
