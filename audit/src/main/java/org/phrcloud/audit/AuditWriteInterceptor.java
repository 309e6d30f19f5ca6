package org.phrcloud.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The AuditEvent of a write, stored in the write's own database transaction (ARCHITECTURE.md write path step 4): the
 * resources created, updated and deleted in one transaction (a single write, a transaction Bundle, a consent
 * decision) become ONE AuditEvent, written just before the commit; if the transaction rolls back, so does it, and the
 * request's failure is recorded by {@link AuditRequestInterceptor} instead. Registered on HAPI's own interceptor
 * service (every write path); storage pointcuts, after the ledger.
 */
@Interceptor
public class AuditWriteInterceptor {
    static final int ORDER = 200;

    private final Auditor auditor;

    public AuditWriteInterceptor(Auditor auditor) {
        this.auditor = auditor;
    }

    @Hook(value = Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED, order = ORDER)
    public void created(IBaseResource resource, RequestDetails request) {
        pending(request).add(resource, "create");
    }

    @Hook(value = Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED, order = ORDER)
    public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
        pending(request).add(resource, "update");
    }

    @Hook(value = Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED, order = ORDER)
    public void deleted(IBaseResource resource, RequestDetails request) {
        pending(request).add(resource, "delete");
    }

    private final class Pending implements TransactionSynchronization {
        final RequestDetails request;
        final Set<String> patients = new LinkedHashSet<>();
        final List<String> resources = new ArrayList<>();
        final Set<String> operations = new LinkedHashSet<>();

        Pending(RequestDetails request) {
            this.request = request;
        }

        AuditWriteInterceptor owner() {
            return AuditWriteInterceptor.this;
        }

        void add(IBaseResource resource, String operation) {
            patients.addAll(auditor.owners(resource));
            resources.add(auditor.reference(resource));
            operations.add(operation);
        }

        @Override
        public void beforeCommit(boolean readOnly) {
            if (resources.isEmpty()) {
                return;
            }
            RestOperationTypeEnum root = request == null ? null : Auditor.rootOperation(request);
            boolean transaction = root == RestOperationTypeEnum.TRANSACTION || root == RestOperationTypeEnum.BATCH;
            String kind = transaction ? "transaction" : operations.size() == 1 ? operations.iterator().next()
                    : operations.contains("update") ? "update" : operations.iterator().next();
            auditor.record(request, kind, 0, null, patients, resources, null, false);
            resources.clear();
        }

        @Override
        public void afterCompletion(int status) {
            if (status == STATUS_COMMITTED && request != null) {
                Auditor.markRecorded(request);
            }
        }
    }

    private Pending pending(RequestDetails request) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            throw new IllegalStateException("PHR-AUDIT-0401: a FHIR write outside a transaction cannot be audited with it");
        }
        for (TransactionSynchronization s : TransactionSynchronizationManager.getSynchronizations()) {
            if (s instanceof Pending p && p.owner() == this) {
                return p;
            }
        }
        Pending p = new Pending(request);
        TransactionSynchronizationManager.registerSynchronization(p);
        return p;
    }
}
