package org.phrcloud.standards.fhir.ledger;

import org.phrcloud.core.ledger.BlockAuthor;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.model.entity.ResourceHistoryTable;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.util.MetaUtil;
import org.apache.commons.lang3.StringUtils;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.ledger.chain.ContentHash;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;
import org.phrcloud.ledger.store.JdbcChainStore;
import org.phrcloud.core.caller.CallerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Appends the blocks of the write path (ARCHITECTURE.md step 3). Every create, update and delete of a resource in
 * a Patient compartment (FHIR R4 CompartmentDefinition {@code patient}; a Patient is in its own) becomes an
 * {@link Entry}: type, id, version, operation, {@link ContentHash} of the version written (of the last version
 * for a delete). The entries of one database transaction are gathered per patient and written, just before the
 * commit, as one block per patient signed by this deployment's institution ({@link BlockAuthor}), plus its outbox
 * row: the records and their blocks commit together or not at all.
 *
 * <p>Hooks: {@link Pointcut#STORAGE_PRECOMMIT_RESOURCE_CREATED}, {@code _UPDATED}, {@code _DELETED}, ordered after
 * the master patient index (a new Patient has its pseudonym by then); the block is written in Spring's
 * {@link TransactionSynchronization#beforeCommit}, chains locked in pseudonym order so that two transactions
 * never wait on each other's chains in a cycle.
 */
@Interceptor
public class LedgerInterceptor {
    /** After {@code PatientIdentityInterceptor} (order 0). */
    static final int ORDER = 100;
    private static final Logger LOG = LoggerFactory.getLogger(LedgerInterceptor.class);

    private final FhirContext fhir;
    private final MasterPatientIndex mpi;
    private final JdbcChainStore chains;
    private final BlockAuthor author;

    public LedgerInterceptor(FhirContext fhir, MasterPatientIndex mpi, JdbcChainStore chains, BlockAuthor author) {
        this.fhir = fhir;
        this.mpi = mpi;
        this.chains = chains;
        this.author = author;
    }

    @Hook(value = Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED, order = ORDER)
    public void created(IBaseResource resource, RequestDetails request) {
        record(resource, Operation.CREATE, request);
    }

    @Hook(value = Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED, order = ORDER)
    public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
        record(resource, Operation.UPDATE, request);
    }

    @Hook(value = Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED, order = ORDER)
    public void deleted(IBaseResource resource, RequestDetails request) {
        record(resource, Operation.DELETE, request);
    }

    private void record(IBaseResource resource, Operation operation, RequestDetails request) {
        Set<String> patients = compartmentOwners(resource);
        if (patients.isEmpty()) {
            return;
        }
        IIdType id = resource.getIdElement();
        String version = id.hasVersionIdPart() ? id.getVersionIdPart() : resource.getMeta().getVersionId();
        Entry entry = new Entry(fhir.getResourceType(resource), id.getIdPart(), version == null ? "" : version, operation,
                ContentHash.of(asStored(fhir, resource)));
        Pending pending = pending(practitioner(request));
        for (String patientId : patients) {
            Optional<String> pseudonym = mpi.pseudonymOfPatient(patientId);
            if (pseudonym.isEmpty()) {
                LOG.warn("PHR-LEDGER-0402: Patient/{} has no identity; {}/{} is not chained", patientId,
                        entry.resourceType(), entry.id());
                continue;
            }
            pending.entries.computeIfAbsent(pseudonym.get(), p -> new ArrayList<>()).add(entry);
        }
    }

    /**
     * The resource's FHIR JSON as HAPI FHIR JPA stores it and reads it back, so that its {@link ContentHash} is the one
     * a later read gives. HAPI keeps {@code meta.source} as two columns, the source URI cut to
     * {@link ResourceHistoryTable#SOURCE_URI_LENGTH} characters and the request id (the client's {@code X-Request-ID},
     * any length) cut to {@link Constants#REQUEST_ID_LENGTH} (16), while the resource in hand at pre-commit still holds
     * both whole ({@code BaseHapiFhirDao}, HAPI FHIR 8.8): without this, every write with a longer request id looked
     * changed to the verifier. A read gives them back as {@code <uri>#<request id>} ({@link MetaUtil#populateResourceSource}).
     */
    static String asStored(FhirContext fhir, IBaseResource resource) {
        String json = fhir.newJsonParser().encodeResourceToString(resource);
        String source = MetaUtil.getSource(fhir, resource.getMeta());
        if (source == null || source.isEmpty()) {
            return json;
        }
        String uri = StringUtils.left(MetaUtil.extractSourceUriOrEmpty(source), ResourceHistoryTable.SOURCE_URI_LENGTH);
        String requestId = StringUtils.left(StringUtils.substringAfter(source, "#"), Constants.REQUEST_ID_LENGTH);
        String stored = StringUtils.isNotBlank(requestId) ? uri + "#" + requestId : uri;
        if (stored.equals(source)) {
            return json;
        }
        try {
            com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode) STORED_JSON.readTree(json);
            com.fasterxml.jackson.databind.node.ObjectNode meta = (com.fasterxml.jackson.databind.node.ObjectNode) tree.path("meta");
            if (stored.isBlank()) {
                meta.remove("source");
            } else {
                meta.put("source", stored);
            }
            return STORED_JSON.writeValueAsString(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("PHR-LEDGER-0405: HAPI's own JSON of " + fhir.getResourceType(resource) + " did not parse", e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper STORED_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private Set<String> compartmentOwners(IBaseResource resource) {
        Set<String> owners = new LinkedHashSet<>();
        if ("Patient".equals(fhir.getResourceType(resource))) {
            owners.add(resource.getIdElement().getIdPart());
            return owners;
        }
        for (IIdType owner : fhir.newTerser().getCompartmentOwnersForResource("Patient", resource, Set.<String>of())) {
            if ("Patient".equals(owner.getResourceType()) && owner.hasIdPart()) {
                owners.add(owner.getIdPart());
            }
        }
        return owners;
    }

    /** The entries of the current transaction, written as blocks before it commits. */
    private final class Pending implements TransactionSynchronization {
        final Map<String, List<Entry>> entries = new TreeMap<>();
        final String practitioner;

        Pending(String practitioner) {
            this.practitioner = practitioner;
        }

        LedgerInterceptor owner() {
            return LedgerInterceptor.this;
        }

        @Override
        public void beforeCommit(boolean readOnly) {
            String keyId = author.keyId();
            try {
                entries.forEach((pseudonym, list) -> chains.append(pseudonym, keyId, practitioner, list, author.signer()));
            } catch (JdbcChainStore.ChainMovedException e) {
                // the patient's home is elsewhere now (ARCHITECTURE.md "Federation", moving a patient's home): what is
                // stored here stays as it was
                throw new ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException(e.getMessage());
            }
            entries.clear();
        }
    }

    private Pending pending(String practitioner) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            throw new IllegalStateException("PHR-LEDGER-0403: a FHIR write outside a transaction cannot be chained");
        }
        for (TransactionSynchronization s : TransactionSynchronizationManager.getSynchronizations()) {
            if (s instanceof Pending p && p.owner() == this) {
                return p;
            }
        }
        Pending p = new Pending(practitioner);
        TransactionSynchronizationManager.registerSynchronization(p);
        return p;
    }

    private static String practitioner(RequestDetails request) {
        Caller caller = CallerContext.caller(request);
        return caller == null ? "system" : caller.username();
    }
}
