package org.phrcloud.standards.hl7v2;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import java.time.Clock;
import javax.sql.DataSource;
import org.phrcloud.audit.Auditor;
import org.phrcloud.identity.institution.InstitutionKeys;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.orm.jpa.JpaTransactionManager;

/**
 * HL7 v2 ingestion: the message log (exactly once), the mapping to FHIR and the MLLP listener.
 */
@Configuration
public class Hl7v2Config {
    /** Which HL7 v2 messages were processed (exactly once), on the FHIR database inside the message's transaction. */
    @Bean
    public MessageLog hl7v2MessageLog(DataSource dataSource) {
        MessageLog.migrate(dataSource);
        return new MessageLog(new TransactionAwareDataSourceProxy(dataSource));
    }

    @Bean
    public Hl7v2Ingestion hl7v2Ingestion(IFhirSystemDao<org.hl7.fhir.r4.model.Bundle, ?> systemDao,
            DaoRegistry daoRegistry, JpaTransactionManager transactionManager, MessageLog log,
            MasterPatientIndex mpi, Auditor auditor) {
        return new Hl7v2Ingestion(systemDao, daoRegistry, transactionManager, log, mpi, Clock.systemUTC(), auditor);
    }

    /**
     * The MLLP listener on {@code phr.mllp.bind} (PHR_MLLP_BIND, default 127.0.0.1) and {@code phr.mllp.port}
     * (PHR_MLLP_PORT, default 2575; 0 turns it off). Senders are the registered institutions (MSH-4).
     */
    @Bean(destroyMethod = "close")
    public MllpListener mllpListener(Hl7v2Ingestion ingestion,
            InstitutionKeys institutionKeys, Environment environment) {
        int port = Integer.parseInt(environment.getProperty("phr.mllp.port", "2575"));
        if (port == 0) {
            return null;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalStateException("PHR-FHIR-0005: phr.mllp.port (PHR_MLLP_PORT) is 0 (off) or a TCP port");
        }
        return new MllpListener(ingestion, environment.getProperty("phr.mllp.bind", "127.0.0.1"), port,
                institution -> institutionKeys.current(institution).isPresent());
    }
}
